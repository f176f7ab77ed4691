"""`provision policies` and `provision explain ID`."""

from __future__ import annotations

import json
import pathlib

import pytest
from click.testing import CliRunner

from provision.cli.main import cli
from provision.policies.registry import POLICIES

TABLE = [
    # (args, expected lines in the output, exit code)
    (
        ["policies"],
        [
            "ID             ENFORCEMENT  TITLE",
            "PRV-RES-001    mandatory    Every region used stays inside the data residency",
            "PRV-SUS-001    advisory     Home region on a low-carbon grid",
        ],
        0,
    ),
    (
        ["explain", "PRV-VEN-001"],
        [
            "PRV-VEN-001  Critical functions are spread across vendors",
            "Enforcement: mandatory (default; provision-policies.yaml may override it)",
            "Tags: vendor",
            "  maxCriticalPerVendor: 2",
            "  Move some critical functions to another provider, or lower their tier if they are not",
            "  critical.",
            "Docs: https://github.com/provision-iac/provision/blob/main/docs/policies.md#prv-ven-001",
        ],
        0,
    ),
    (["explain", "prv-bak-004"], ["Parameters:", "  none", "Docs: https://github.com/provision-iac/provision/blob/main/docs/policies.md#prv-bak-004"], 0),
    (
        ["explain", "PRV-VEN-01"],
        ["Error: No policy 'PRV-VEN-01'. Did you mean PRV-VEN-001, PRV-VEN-005 or PRV-VEN-004?"],
        2,
    ),
    (["explain", "NOPE"], ["Error: No policy 'NOPE'. See `provision policies` for the list."], 2),
    (["explain"], ["Error: Missing argument 'ID'."], 2),
    (
        ["policies", "--format", "yaml"],
        ["Error: Invalid value for '-f' / '--format': 'yaml' is not one of 'text', 'json'."],
        2,
    ),
]


@pytest.mark.parametrize("args, lines, code", TABLE, ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_commands(args: list[str], lines: list[str], code: int) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == code, result.output
    output = result.output.splitlines()
    for line in lines:
        assert line in output


def test_policies_lists_every_policy_in_catalogue_order() -> None:
    result = CliRunner().invoke(cli, ["policies"])
    ids = [line.split()[0] for line in result.output.splitlines()[1:]]
    assert ids == [p.id for p in POLICIES]


def test_policies_json() -> None:
    result = CliRunner().invoke(cli, ["policies", "--format", "json"])
    assert result.exit_code == 0
    doc = json.loads(result.output)
    assert [d["id"] for d in doc] == [p.id for p in POLICIES]
    assert doc[0] == {
        "id": "PRV-RES-001",
        "enforcement": "mandatory",
        "title": "Every region used stays inside the data residency",
        "tags": ["residency"],
        "params": {},
        "docsUrl": "https://github.com/provision-iac/provision/blob/main/docs/policies.md#prv-res-001",
    }


def test_policies_shows_organisation_overrides(tmp_path: pathlib.Path) -> None:
    config = tmp_path / "provision-policies.yaml"
    config.write_text("policies:\n  PRV-VEN-001:\n    enforcement: advisory\n    params: {maxCriticalPerVendor: 3}\n")
    text = CliRunner().invoke(cli, ["policies", "--policy-config", str(config)])
    assert "PRV-VEN-001    advisory     Critical functions are spread across vendors" in text.output.splitlines()
    doc = json.loads(CliRunner().invoke(cli, ["policies", "-f", "json", "--policy-config", str(config)]).output)
    assert [d for d in doc if d["id"] == "PRV-VEN-001"][0]["params"] == {"maxCriticalPerVendor": 3}


def test_policies_rejects_an_invalid_config(tmp_path: pathlib.Path) -> None:
    config = tmp_path / "provision-policies.yaml"
    config.write_text("policies:\n  PRV-VEN-01: {enforcement: advisory}\n")
    result = CliRunner().invoke(cli, ["policies", "--policy-config", str(config)])
    assert result.exit_code == 2
    assert f"Error: {config}:2:3: unknown policy id 'PRV-VEN-01' (did you mean PRV-VEN-001?)" in result.output


def test_explain_json() -> None:
    result = CliRunner().invoke(cli, ["explain", "PRV-SLA-001", "-f", "json"])
    assert result.exit_code == 0
    doc = json.loads(result.output)
    assert doc["params"] == {"minAvailability": {"critical": 99.9, "important": 99.5, "standard": 99.0}}
    assert doc["enforcement"] == "mandatory"
    assert doc["docsUrl"] == "https://github.com/provision-iac/provision/blob/main/docs/policies.md#prv-sla-001"
    assert doc["remediation"].startswith("Negotiate and declare an availability")


def test_help_teaches_with_examples_and_exit_codes() -> None:
    for command in ("policies", "explain"):
        text = CliRunner().invoke(cli, [command, "--help"]).output
        assert "Exit codes:" in text and "Examples:" in text
