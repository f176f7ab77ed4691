"""End to end: plans converge on the sandbox. After apply, re-planning shows nothing and drift is quiet;
a changed zone count converges; a trust policy changed out of band is drift, its secret never printed.
(Every example converging right after apply is tests/generated/test_generated_e2e.py's.)

Judged by the CLI's exit codes and by the sandbox's own API (boto3), one module at a time.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from provision.cli.main import cli

pytestmark = pytest.mark.e2e

NETWORK_PLAN = """\
apiVersion: provision/v1
kind: OutsourcingPlan
metadata: {{name: conv-net, owner: platform@acme.example}}
spec:
  environment: dev
  region: eu-west-1
  dataResidency: eu
  providers:
    aws: {{type: cloud}}
  functions:
    net: {{type: network, provider: aws, network: {{cidr: 10.0.0.0/16, azs: {azs}}}}}
  budget: {{monthlyUSD: 100}}
"""
TRUST_PLAN = """\
apiVersion: provision/v1
kind: OutsourcingPlan
metadata: {name: conv-trust, owner: platform@acme.example}
spec:
  environment: dev
  region: eu-west-1
  dataResidency: eu
  providers:
    aws: {type: cloud}
    nightwatch: {type: msp, accountId: "210987654321", externalIdRef: env:CONV_NIGHTWATCH_EXTERNAL_ID,
                 country: IE, support: 24x7, exitPlan: docs/exit/nightwatch.md, contractEnds: 2028-03-31}
  functions:
    web: {type: hosting, provider: nightwatch, hosting: {kind: static-site}}
  budget: {monthlyUSD: 100}
"""
SECRET = "conv-secret-7f3a9c"


@pytest.fixture
def run(sandbox_state, monkeypatch: pytest.MonkeyPatch):
    """`run(*args)`: the CLI against the session sandbox; every output is kept to search for secrets."""
    monkeypatch.setenv("CONV_NIGHTWATCH_EXTERNAL_ID", SECRET)
    runner = CliRunner()
    seen: list[str] = []

    def invoke(*args: str):
        result = runner.invoke(cli, [*args, "--state-dir", str(sandbox_state.root)], catch_exceptions=False)
        seen.append(result.output)
        return result

    invoke.seen = seen  # type: ignore[attr-defined]
    return invoke


def _converged(run, plan: Path) -> None:
    replanned = run("plan", str(plan), "--detailed-exitcode")
    assert replanned.exit_code == 0, replanned.output
    drift = run("drift", str(plan))
    assert drift.exit_code == 0, drift.output


def _blocks(sandbox_client, vpc_id: str) -> list[tuple[str, str]]:
    subnets = sandbox_client("ec2", "eu-west-1").describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    return sorted((s["CidrBlock"], s["AvailabilityZone"]) for s in subnets["Subnets"])


def test_a_network_from_three_zones_to_two_converges(run, tmp_path: Path, sandbox_client) -> None:
    """Regression: the subnets were replaced create-first and failed with InvalidSubnet.Conflict on every retry."""
    plan = tmp_path / "net.yaml"
    plan.write_text(NETWORK_PLAN.format(azs=3))
    applied = run("apply", str(plan), "--yes")
    assert applied.exit_code == 0, applied.output
    _converged(run, plan)
    vpc_id = json.loads(run("status", str(plan), "--format", "json").stdout)["outputs"]["net"]["vpc_id"]
    assert len(_blocks(sandbox_client, vpc_id)) == 6

    plan.write_text(NETWORK_PLAN.format(azs=2))
    shrunk = run("apply", str(plan), "--yes")

    assert shrunk.exit_code == 0, shrunk.output
    assert _blocks(sandbox_client, vpc_id) == [
        ("10.0.0.0/18", "eu-west-1a"),
        ("10.0.128.0/18", "eu-west-1a"),
        ("10.0.192.0/18", "eu-west-1b"),
        ("10.0.64.0/18", "eu-west-1b"),
    ]
    _converged(run, plan)
    assert run("destroy", str(plan), "--yes").exit_code == 0


def _trust(sandbox_client, role_name: str) -> dict:
    return sandbox_client("iam").get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]


def test_a_trust_policy_changed_out_of_band_is_drift_without_its_secret(run, tmp_path: Path, sandbox_client) -> None:
    """Regression: the trust policy is a secret, masked on both sides, so drift said "No drift"."""
    plan = tmp_path / "trust.yaml"
    plan.write_text(TRUST_PLAN)
    exit_plan = tmp_path / "docs" / "exit" / "nightwatch.md"  # PRV-VEN-005: the exit plan the plan names exists
    exit_plan.parent.mkdir(parents=True)
    exit_plan.write_text("# Exit plan: Nightwatch\n")
    assert run("apply", str(plan), "--yes").exit_code == 0
    _converged(run, plan)
    role_arn = json.loads(run("status", str(plan), "--format", "json").stdout)["outputs"]["vendorRoles"]["nightwatch"]
    role_name = role_arn.rsplit("/", 1)[-1]
    iam = sandbox_client("iam")
    guarded = _trust(sandbox_client, role_name)
    assert guarded["Statement"][0]["Condition"] == {"StringEquals": {"sts:ExternalId": SECRET}}

    anyone = {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}
    iam.update_assume_role_policy(
        RoleName=role_name, PolicyDocument=json.dumps({**guarded, "Statement": [*guarded["Statement"], anyone]})
    )
    opened = run("drift", str(plan))
    assert opened.exit_code == 2, opened.output
    assert (
        'assume_role_policy (secrets masked): added statement {"Action": "sts:AssumeRole", "Effect": "Allow", '
        '"Principal": "*"}' in opened.output
    )

    unguarded = {k: v for k, v in guarded["Statement"][0].items() if k != "Condition"}
    iam.update_assume_role_policy(RoleName=role_name, PolicyDocument=json.dumps({**guarded, "Statement": [unguarded]}))
    stripped = run("drift", str(plan))
    assert stripped.exit_code == 2, stripped.output
    assert 'removed Condition {"StringEquals": {"sts:ExternalId": "[secret]"}}' in stripped.output
    as_json = run("drift", str(plan), "--format", "json")
    assert as_json.exit_code == 2 and json.loads(as_json.stdout)["drifted"] is True

    repaired = run("apply", str(plan), "--yes")
    assert repaired.exit_code == 0, repaired.output
    assert _trust(sandbox_client, role_name) == guarded
    _converged(run, plan)
    assert run("destroy", str(plan), "--yes").exit_code == 0
    assert not [output for output in run.seen if SECRET in output]
