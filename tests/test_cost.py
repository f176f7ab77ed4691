"""The offline cost estimator and its price table.

Expected values are spelt out as the table's prices times the documented usage
assumptions, so a reader can check every number by hand.
"""

from __future__ import annotations

import pathlib

import pytest
import yaml

from provision.policies.cost import estimate, load_price_table
from provision.schemas.model import FUNCTION_TYPES, Plan, build_plan

EXAMPLE = pathlib.Path(__file__).resolve().parents[1] / "examples" / "saas-startup.yaml"


def plan_with(functions: str, budget: str = "") -> Plan:
    text = f"""
apiVersion: provision/v1
kind: OutsourcingPlan
metadata: {{name: cost-test, owner: platform@example.com}}
spec:
  environment: dev
  region: eu-west-1
  dataResidency: eu
  providers:
    aws: {{type: cloud}}
  functions:
{functions}
{budget}
"""
    return build_plan(yaml.safe_load(text))


SITE = "    site: {type: hosting, provider: aws, hosting: {kind: static-site}}"
# storage 5 GB, 100k GETs + 1k PUTs, 50 GB out, 1M HTTPS requests, one key with 10k requests
SITE_USD = 5 * 0.023 + 100 * 0.0004 + 1 * 0.005 + 50 * 0.085 + 100 * 0.01 + (1.0 + 1 * 0.03)


def test_reference_example_estimate() -> None:
    cost = estimate(build_plan(yaml.safe_load(EXAMPLE.read_text())))
    # backups: key, 5 GB x (1 + 1% x 35 days) at $0.05, twice (copy region), 5 GB x 1% x 30.4 days moved at $0.02
    backups = 1.0 + 2 * (5 * 1.35 * 0.05) + 5 * 0.01 * 30.4 * 0.02
    # soc: guardduty (0.5M events, 5 GB logs, 1M S3 events), trail bucket (1 GB/month x 365/30.4 + 10k PUTs),
    # trail key, 5000 Security Hub checks, Config (1000 items + 5000 evaluations), 100 alert e-mails
    soc = (
        (0.5 * 4.0 + 5 * 1.0 + 1 * 0.8)
        + (365 / 30.4 * 0.023 + 10 * 0.005)
        + (1.0 + 0.03)
        + 5000 * 0.001
        + (1000 * 0.003 + 5000 * 0.001)
        + 100 / 100_000 * 2.0
    )
    assert cost.per_function == {"web": round(SITE_USD, 2), "backups": round(backups, 2), "soc": round(soc, 2)}
    assert cost.plan_level == {"budgets": 0.0}  # one budget; the first two are free
    assert cost.total_usd == round(SITE_USD + backups + soc, 2) == 30.30
    assert cost.price_table_version == "aws-prices.v1"
    assert cost.items["web"]["cloudfront transfer"] == 4.25


@pytest.mark.parametrize(
    "price_class, per_gb",
    [("PriceClass_100", 0.085), ("PriceClass_200", 0.091), ("PriceClass_All", 0.093)],
)
def test_cdn_price_class_changes_the_transfer_rate(price_class: str, per_gb: float) -> None:
    site = f"    site: {{type: hosting, provider: aws, hosting: {{kind: static-site, priceClass: {price_class}}}}}"
    p = plan_with(site)
    assert estimate(p).per_function["site"] == round(SITE_USD - 50 * 0.085 + 50 * per_gb, 2)


@pytest.mark.parametrize(("tier", "gateways"), [("critical", 3), ("standard", 1)])
def test_nat_gateways_are_priced_as_the_network_builds_them(tier: str, gateways: int) -> None:
    # One per availability zone for a critical network, one shared otherwise (stacks/functions/network.py).
    with_nat = plan_with(f"    net: {{type: network, provider: aws, tier: {tier}, network: {{cidr: 10.0.0.0/16, azs: 3, nat: true}}}}")
    without = plan_with("    net: {type: network, provider: aws, network: {cidr: 10.0.0.0/16}}")
    flow_logs = 2 * 0.5 + 2 * 90 / 30.4 * 0.03
    assert estimate(without).per_function["net"] == round(flow_logs, 2)
    assert estimate(with_nat).per_function["net"] == round(gateways * 730 * 0.045 + 20 * 0.045 + flow_logs, 2)


def test_sftp_endpoint_dominates_a_data_exchange() -> None:
    files = "    files: {{type: data-exchange, provider: aws, dataExchange: {{retentionDays: 10, sftp: {sftp}}}}}"
    bucket = (1 * 10 + 1) * 0.023 + 10 * 0.0004 + 10 * 0.005 + (1.0 + 2 * 0.03)
    assert estimate(plan_with(files.format(sftp="false"))).per_function["files"] == round(bucket, 2)
    assert estimate(plan_with(files.format(sftp="true"))).per_function["files"] == round(
        bucket + 730 * 0.30 + 30 * 0.04, 2
    )


def test_monitoring_prices_alarms_per_watched_function() -> None:
    ops = "    ops: {type: monitoring, provider: aws, monitoring: {watches: [site, files], notify: [o@example.com]}}"
    files = "    files: {type: data-exchange, provider: aws, dataExchange: {retentionDays: 10}}"
    cost = estimate(plan_with("\n".join([SITE, files, ops])))
    assert cost.per_function["ops"] == round(2 * 2 * 0.10 + 3.0 + 50 / 100_000 * 2.0, 2)


def test_only_enabled_security_services_are_priced() -> None:
    soc = (
        "    soc: {type: security-monitoring, provider: aws, securityMonitoring: "
        "{services: [guardduty], alerts: {minSeverity: high, notify: [s@example.com]}}}"
    )
    assert estimate(plan_with(soc)).items["soc"] == {"guardduty": 7.8, "alert notifications": 0.0}


def test_budgets_beyond_the_first_two_are_billed() -> None:
    functions = "\n".join(
        f"    {n}: {{type: hosting, provider: aws, budget: {{monthlyUSD: 20}}, hosting: {{kind: static-site}}}}"
        for n in ("a", "b", "c")
    )
    cost = estimate(plan_with(functions, budget="  budget: {monthlyUSD: 100}"))
    assert cost.plan_level == {"budgets": round(2 * 0.02 * 30.4, 2)}


def test_usage_can_be_overridden_per_function() -> None:
    p = plan_with(SITE)
    cost = estimate(p, usage={"site": {"cdnTransferOutGB": 1000}})
    assert cost.per_function["site"] == round(SITE_USD + 950 * 0.085, 2)


@pytest.mark.parametrize(
    "usage, message",
    [
        ({"nope": {"storedGB": 1}}, "usage given for unknown functions: nope"),
        ({"site": {"storedTB": 1}}, "unknown usage keys for function 'site': storedTB"),
    ],
)
def test_bad_usage_overrides_are_rejected(usage: dict, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        estimate(plan_with(SITE), usage=usage)
    assert str(caught.value) == message


def test_price_table_records_its_source_region_and_date() -> None:
    table = load_price_table()
    assert table.version == "aws-prices.v1"
    assert table.region == "us-east-1"
    assert table.recorded_on == "2026-11-24"
    assert set(table.prices) <= set(table.sources)
    assert all(url.startswith("https://aws.amazon.com/") for url in table.sources.values())


def test_every_function_type_has_usage_assumptions_and_prices_are_positive() -> None:
    table = load_price_table()
    for function_type in FUNCTION_TYPES:
        assert table.usage_for(function_type), function_type

    def numbers(node):
        if isinstance(node, dict):
            for value in node.values():
                yield from numbers(value)
        else:
            yield node

    assert all(isinstance(n, (int, float)) and n > 0 for n in numbers(dict(table.prices)))
