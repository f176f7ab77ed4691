"""Residencies as data and the policy config as a documented format, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from provision.cli.main import cli

PLAN = """\
apiVersion: provision/v1
kind: OutsourcingPlan
metadata: {{name: res-plan, owner: platform@example.com}}
spec:
  environment: dev
  region: {region}
  dataResidency: {residency}
  providers:
    aws: {{type: cloud}}
    bpo: {{type: bpo, accountId: "210987654321", externalIdRef: env:BPO_EXTERNAL_ID, country: {country}}}
  functions:
    site: {{type: hosting, provider: aws, data: regulated, hosting: {{kind: static-site}}}}
    backups: {{type: backup, provider: aws, data: regulated,
               backup: {{protects: [site], rpoHours: 24, retentionDays: 35, copyToRegion: {copy}}}}}
    claims: {{type: data-exchange, provider: bpo, data: regulated, dataExchange: {{retentionDays: 30}}}}
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def validate(repo: Path, **values: str) -> list[str]:
    """The residency findings (PRV-RES-*) of the plan with these values; the plan has others, by design."""
    (repo / "plan.yaml").write_text(PLAN.format(**values), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "plan.yaml", "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    findings = [f for report in json.loads(result.output)["files"] for f in report["findings"]]
    return sorted(f"{f['rule']} {f['message']}" for f in findings if f["rule"].startswith("PRV-RES-"))


def test_residencies_as_data_uk_keeps_its_backup_copy_in_the_eu(repo: Path) -> None:
    # uk used to have one region, so a second region for the backup copy was impossible.
    assert validate(repo, region="eu-west-2", residency="uk", country="GB", copy="eu-west-1") == []


def test_residencies_as_data_apac_no_longer_takes_australian_health_data_to_the_philippines(repo: Path) -> None:
    found = validate(repo, region="ap-southeast-2", residency="apac", country="PH", copy="ap-southeast-4")
    assert found == ["PRV-RES-002 function 'claims' gives regulated data to provider 'bpo' under data residency "
                     "'apac', which spans several jurisdictions; choose the national residency whose law applies "
                     "(au, in, jp, sg)"]
    found = validate(repo, region="ap-southeast-2", residency="au", country="PH", copy="ap-southeast-4")
    assert found == ["PRV-RES-002 function 'claims' gives regulated data to provider 'bpo' in PH, outside data "
                     "residency 'au' (AU)"]


def test_residencies_as_data_an_organisation_adds_its_own(repo: Path) -> None:
    found = validate(repo, region="ap-southeast-6", residency="nz", country="NZ", copy="ap-southeast-6")
    assert [f.split(" (known")[0] for f in found] == ["PRV-RES-001 data residency 'nz' is not defined"]
    (repo / "provision-policies.yaml").write_text(
        "residencies:\n  nz: {regions: [ap-southeast-6], countries: [NZ], label: New Zealand}\n", encoding="utf-8")
    assert validate(repo, region="ap-southeast-6", residency="nz", country="NZ", copy="ap-southeast-6") == []


def test_the_policy_config_is_a_documented_format(repo: Path) -> None:
    printed = CliRunner().invoke(cli, ["schema", "policy-config"])
    assert printed.exit_code == 0
    assert set(json.loads(printed.output)["properties"]) == {"policies", "externalIdRefs", "residencies",
                                                             "costAllocationTagsActive"}
    (repo / "provision-policies.yaml").write_text("policies:\n  PRV-SUS-001:\n    enforcement: off\n")
    (repo / "plan.yaml").write_text(PLAN.format(region="eu-west-1", residency="eu", country="IE", copy="eu-west-3"))
    result = CliRunner().invoke(cli, ["validate", "plan.yaml"])
    assert result.exit_code == 2
    assert ("provision-policies.yaml:3:18: ERROR POLICY-CONFIG The policy config is invalid: PRV-SUS-001: enforcement "
            "must be one of mandatory, advisory, disabled, not 'off' (YAML reads off as false); to switch the policy "
            "off, write enforcement: disabled.") in result.output
