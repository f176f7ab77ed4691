"""The policy engine: config, waivers, ordering, findings, and the example plans."""

from __future__ import annotations

import datetime as dt
import pathlib

import pytest
import yaml

from provision.policies.base import Enforcement
from provision.policies.config import PolicyConfig, PolicyOverride
from provision.policies.engine import PolicyResult, evaluate
from provision.schemas.findings import Level
from provision.schemas.model import Plan, build_plan

TODAY = dt.date(2026, 6, 1)
EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"

# A dev plan with two critical sites and no backup: PRV-BAK-004 fires once per site.
BASE = """
apiVersion: provision/v1
kind: OutsourcingPlan
metadata: {name: engine-test, owner: platform@example.com}
spec:
  environment: dev
  region: eu-west-1
  dataResidency: eu
  providers:
    aws: {type: cloud}
  functions:
    shop: {type: hosting, provider: aws, tier: critical, hosting: {kind: static-site}}
    blog: {type: hosting, provider: aws, tier: critical, hosting: {kind: static-site}}
  budget: {monthlyUSD: 100}
"""


def waiver(policy: str, expires: str, function: str | None = None, reason: str = "vault migration") -> dict:
    doc = {"policy": policy, "reason": reason, "expires": dt.date.fromisoformat(expires)}
    doc["approvedBy"] = "cto@example.com"
    return doc | ({"function": function} if function else {})


def plan(*waivers: dict, base: str = BASE) -> Plan:
    doc = yaml.safe_load(base)
    if waivers:
        doc["spec"]["waivers"] = list(waivers)
    return build_plan(doc)


def run(p: Plan, config: PolicyConfig | None = None) -> list[tuple[str, str, str]]:
    return [
        (r.policy.id, r.level.value, r.violation.message)
        for r in evaluate(p, config=config or PolicyConfig(), today=TODAY)
    ]


SHOP = ("PRV-BAK-004", "critical hosting function 'shop' is not protected by any backup function")
BLOG = ("PRV-BAK-004", "critical hosting function 'blog' is not protected by any backup function")


def test_violations_are_mandatory_by_default_and_sorted_by_path() -> None:
    assert run(plan()) == [
        (BLOG[0], "mandatory", BLOG[1]),
        (SHOP[0], "mandatory", SHOP[1]),
    ]


def test_results_sort_by_path_then_policy_id() -> None:
    p = plan(
        base=BASE.replace("region: eu-west-1", "region: us-east-2").replace("budget: {monthlyUSD: 100}", "")
    )
    results = evaluate(p, config=PolicyConfig(), today=TODAY)
    assert [(r.violation.path, r.policy.id) for r in results] == [
        (("spec",), "PRV-BUD-002"),
        (("spec", "functions", "blog"), "PRV-BAK-004"),
        (("spec", "functions", "shop"), "PRV-BAK-004"),
        (("spec", "region"), "PRV-RES-001"),
        (("spec", "region"), "PRV-SUS-001"),
    ]


def test_config_can_downgrade_or_disable_a_policy() -> None:
    advisory = PolicyConfig({"PRV-BAK-004": PolicyOverride(enforcement=Enforcement.ADVISORY)})
    assert {level for _, level, _ in run(plan(), advisory)} == {"advisory"}
    disabled = PolicyConfig({"PRV-BAK-004": PolicyOverride(enforcement=Enforcement.DISABLED)})
    assert run(plan(), disabled) == []


def test_disabled_policies_are_not_even_run() -> None:
    # A disabled policy whose check would crash on this plan must not be called.
    config = PolicyConfig({"PRV-BUD-003": PolicyOverride(enforcement=Enforcement.DISABLED)})
    p = plan(base=BASE.replace("hosting: {kind: static-site}}", "hosting: {kind: static-site, priceClass: Bogus}}"))
    assert [r[0] for r in run(p, config)] == ["PRV-BAK-004", "PRV-BAK-004"]
    with pytest.raises(KeyError):
        run(p)


def test_params_from_config_reach_the_check() -> None:
    p = plan(base=BASE.replace("region: eu-west-1", "region: eu-central-1"))
    assert not [r for r in run(p) if r[0] == "PRV-SUS-001"]
    strict = PolicyConfig({"PRV-SUS-001": PolicyOverride(params={"maxGramsCO2ePerKWh": 300})})
    assert [r for r in run(p, strict) if r[0] == "PRV-SUS-001"] == [
        (
            "PRV-SUS-001",
            "advisory",
            "home region eu-central-1 runs on a grid of about 311 gCO2e/kWh, above 300; "
            "inside residency 'eu' consider eu-north-1 (9), eu-west-3 (51), eu-south-1 (213)",
        )
    ]


def test_a_waiver_naming_a_function_waives_only_that_function() -> None:
    p = plan(waiver("PRV-BAK-004", "2026-09-30", "shop"))
    results = evaluate(p, config=PolicyConfig(), today=TODAY)
    assert [(r.violation.function, r.level) for r in results] == [
        ("blog", Level.MANDATORY),
        ("shop", Level.WAIVED),
    ]
    assert results[1].waiver is p.waivers[0]
    assert results[0].waiver is None


def test_a_waiver_without_function_waives_every_violation_of_its_policy() -> None:
    p = plan(waiver("PRV-BAK-004", "2026-09-30"))
    assert [level for _, level, _ in run(p)] == ["waived", "waived"]


def test_a_waiver_of_another_policy_waives_nothing() -> None:
    p = plan(waiver("PRV-BAK-001", "2026-09-30", "shop", reason="unrelated"))
    assert [level for _, level, _ in run(p)] == ["mandatory", "mandatory"]


def test_a_waiver_holds_through_its_expiry_date() -> None:
    p = plan(waiver("PRV-BAK-004", "2026-06-01"))
    assert [level for _, level, _ in run(p)] == ["waived", "waived"]


def test_an_expired_waiver_waives_nothing_and_is_a_finding_itself() -> None:
    p = plan(
        waiver("PRV-BAK-004", "2026-05-31", "shop"),
        waiver("PRV-GOV-001", "2026-12-31", reason="trying to silence expiry"),
    )
    assert run(p) == [
        (BLOG[0], "mandatory", BLOG[1]),
        (SHOP[0], "mandatory", SHOP[1]),
        (
            "PRV-GOV-001",
            "mandatory",
            "waiver of PRV-BAK-004 for function 'shop' expired on 2026-05-31 (approved by cto@example.com); "
            "it waives nothing",
        ),
    ]


def test_to_finding_carries_policy_metadata_and_the_waiver() -> None:
    p = plan(waiver("PRV-BAK-004", "2026-09-30", "shop"))
    waived = [r for r in evaluate(p, config=PolicyConfig(), today=TODAY) if r.level is Level.WAIVED][0]
    finding = waived.to_finding("plans/shop.yaml", 12, 5)
    assert finding.rule == "PRV-BAK-004"
    assert finding.level is Level.WAIVED
    assert finding.message == (
        "critical hosting function 'shop' is not protected by any backup function "
        "[waived until 2026-09-30 by cto@example.com: vault migration]"
    )
    assert finding.fix == waived.policy.remediation
    assert finding.title == "Every critical function holding data is backed up"
    assert finding.docs_url == "docs/policies.md#prv-bak-004"
    assert (finding.file, finding.line, finding.column) == ("plans/shop.yaml", 12, 5)
    assert finding.json_pointer == "/spec/functions/shop"
    assert isinstance(waived, PolicyResult)


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_example_plans_have_no_mandatory_findings(example: pathlib.Path) -> None:
    results = evaluate(build_plan(yaml.safe_load(example.read_text())), config=PolicyConfig(), today=TODAY)
    assert [(r.policy.id, r.violation.message) for r in results if r.level is Level.MANDATORY] == []
