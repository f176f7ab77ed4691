"""`provision validate` on where a plan lands: regions, zone counts, physical names (schemas.placement)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from provision.cli.main import cli
from provision.schemas import naming
from provision.validation.pipeline import validate_source

PLAN = """\
apiVersion: provision/v1
kind: OutsourcingPlan
metadata: {name: placement-test, owner: platform@example.com}
spec:
  environment: dev
  region: ca-central-1
  dataResidency: ca
  providers:
    aws: {type: cloud}
    claimsco: {type: bpo, accountId: "111122223333", externalIdRef: env:CLAIMSCO, country: CA,
               support: 24x7, exitPlan: docs/exit.md}
  functions:
    net:
      type: network
      provider: aws
      network: {cidr: 10.20.0.0/16, azs: 3}
    exchange:
      type: data-exchange
      provider: claimsco
      dataExchange: {retentionDays: 30, sftp: true, partners: [claimsco]}
    backups:
      type: backup
      provider: aws
      backup: {protects: [exchange], rpoHours: 24, retentionDays: 35, copyToRegion: ca-west-1}
  budget: {monthlyUSD: 100}
"""
PLACEMENT_RULES = ("XREF-REGION", "XREF-ZONES", "XREF-NAME", "XREF-DUPLICATE")


def findings(text: str) -> list[tuple[str, int, int, str, str]]:
    report = validate_source(text, filename="p.yaml")
    return [(f.rule, f.line, f.column, f.message, f.fix) for f in report.findings if f.rule.startswith("XREF")]


def edit(*pairs: str) -> str:
    text = PLAN
    for old, new in zip(pairs[::2], pairs[1::2]):
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def test_the_plan_lands_cleanly() -> None:
    assert findings(PLAN) == []


def test_an_unknown_region_is_located_with_the_closest_one() -> None:
    assert findings(edit("region: ca-central-1", "region: eu-nrth-1", "dataResidency: ca", "dataResidency: eu")) == [
        ("XREF-REGION", 6, 11, "`spec.region`: `eu-nrth-1` is not an AWS region.", "Did you mean `eu-north-1`?"),
    ]


def test_an_unknown_copy_region_is_located_with_the_closest_one() -> None:
    assert findings(edit("copyToRegion: ca-west-1", "copyToRegion: ca-wset-1")) == [
        ("XREF-REGION", 24, 85, "`spec.functions.backups.backup.copyToRegion`: `ca-wset-1` is not an AWS region.",
         "Did you mean `ca-west-1`?"),
    ]


def test_a_region_like_nothing_known_gets_an_example() -> None:
    assert findings(edit("region: ca-central-1", "region: xy-nowhere-9")) == [
        ("XREF-REGION", 6, 11, "`spec.region`: `xy-nowhere-9` is not an AWS region.",
         "Use an AWS region name such as eu-west-1 (see `aws ec2 describe-regions`)."),
    ]


def test_more_zones_than_the_region_has_is_located_at_azs() -> None:
    assert findings(edit("azs: 3}", "azs: 4}")) == [
        ("XREF-ZONES", 16, 42, "Network function `net` asks for 4 availability zones, but ca-central-1 has 3.",
         "Set `azs` to 3 or fewer."),
    ]


def test_a_plan_name_with_a_prefix_s3_reserves_is_refused_once() -> None:
    assert findings(edit("name: placement-test", "name: xn--placement")) == [
        ("XREF-NAME", 3, 18,
         "`metadata.name`: S3 bucket names start with the plan name `xn--placement`, "
         "but S3 bucket names may not start with `xn--` (reserved by AWS).",
         "Choose a plan name that does not start with `xn--`."),
    ]


def test_a_partner_name_too_short_for_an_sftp_user_is_located_at_the_partner() -> None:
    text = edit("    claimsco: {type: bpo", "    cc: {type: bpo", "provider: claimsco", "provider: cc",
                "partners: [claimsco]", "partners: [cc]")
    assert findings(text) == [
        ("XREF-NAME", 20, 64,
         "`spec.functions.exchange.dataExchange.partners[0]`: the SFTP user of partner `cc` in `exchange` would be "
         "named `cc`, but Transfer Family user names have 3 to 100 characters, `cc` has 2.",
         "Rename it so that the Transfer Family user name fits: 3 to 100 characters."),
    ]


def test_the_issues_long_names_validate_clean() -> None:
    # 40-character plan name, 31-character function names: cut names used to clash here.
    text = edit("name: placement-test", "name: northwind-logistics-customer-portal-prod",
                "    exchange:", "    claims-exchange-with-bpo-vendor:",
                "protects: [exchange]", "protects: [claims-exchange-with-bpo-vendor]")
    assert findings(text) == []


def test_one_partner_on_two_sftp_exchanges_is_two_users_on_two_servers() -> None:
    # Transfer Family keeps user names unique per server, and each exchange has its own server.
    text = edit("      dataExchange: {retentionDays: 30, sftp: true, partners: [claimsco]}\n",
                "      dataExchange: {retentionDays: 30, sftp: true, partners: [claimsco]}\n"
                "    returns:\n      type: data-exchange\n      provider: claimsco\n"
                "      dataExchange: {retentionDays: 30, sftp: true, partners: [claimsco]}\n")
    assert findings(text) == []


def test_two_resources_with_one_name_are_a_located_duplicate(monkeypatch: pytest.MonkeyPatch) -> None:
    # Names are unique by construction; a digest that ignored what it should is what this check is for.
    monkeypatch.setattr(naming, "digest", lambda *parts: "00000000")
    text = edit("name: placement-test", "name: northwind-logistics-customer-portal-prod",
                "    exchange:", "    claims-exchange-with-bpo-vendor:",
                "protects: [exchange]", "protects: [claims-exchange-with-bpo-vendor]")
    clashes = [f for f in findings(text) if f[0] == "XREF-DUPLICATE"]
    assert clashes[0] == (
        "XREF-DUPLICATE", 17, 5,
        "The drop-zone bucket of `claims-exchange-with-bpo-vendor` and the drop-zone access-log bucket of "
        "`claims-exchange-with-bpo-vendor` would both be the S3 bucket "
        "`northwind-logistics-customer-portal-prod-dev-claims-ex-00000000`.",
        "Rename one of the functions or providers involved.",
    )


def test_the_cli_reports_a_placement_finding_with_file_line_and_column(tmp_path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(edit("region: ca-central-1", "region: eu-nrth-1", "dataResidency: ca", "dataResidency: eu"))

    result = CliRunner().invoke(cli, ["validate", str(path)])

    assert result.exit_code == 2, result.output
    assert f"{path}:6:11: ERROR XREF-REGION `spec.region`: `eu-nrth-1` is not an AWS region.\n" \
           "    fix: Did you mean `eu-north-1`?\n" in result.output
