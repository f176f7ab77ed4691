"""End to end: a stack deployed with the old naming keeps its names through an upgrade,
and a network in ca-central-1 lands in the zones AWS has there (a, b, d).

"Today's" naming is simulated in process: the program names with the old
algorithm (digest of plan, environment, region and account only, environment
doubled) and records nothing, as provision did before names were recorded.
After the upgrade, re-planning shows no replacement and no rename. Checked through the sandbox's own API, not through provision.
"""

from __future__ import annotations

import json
from pathlib import Path

import pulumi
import pytest
from click.testing import CliRunner

from provision.cli.main import cli
from provision.schemas import naming
from tests.examples import write_exit_plan

pytestmark = pytest.mark.e2e

PLAN = """\
apiVersion: provision/v1
kind: OutsourcingPlan
metadata: {name: names-e2e-dev, owner: platform@example.com}
spec:
  environment: dev
  region: ca-central-1
  dataResidency: ca
  providers:
    aws: {type: cloud}
    filesco: {type: bpo, accountId: "444455556666", externalIdRef: env:FILESCO_EXTERNAL_ID, country: CA,
              support: 24x7, exitPlan: docs/exit/filesco.md, contractEnds: 2028-06-30, contacts: [ops@filesco.example]}
  functions:
    net:
      type: network
      provider: aws
      network: {cidr: 10.40.0.0/16, azs: 3}
    files:
      type: data-exchange
      provider: filesco
      data: internal
      dataExchange: {retentionDays: 30}
  budget: {monthlyUSD: 200}
"""
# The exchange has no backup or security monitoring: not what this test is about.
POLICIES = "policies:\n  PRV-BPO-001: {enforcement: advisory}\n"
REGION = "ca-central-1"
# The names the old naming gave this plan in the sandbox's account (123456789012).
OLD_BUCKETS = {"names-e2e-dev-dev-files-drop-zone-1a93ba09", "names-e2e-dev-dev-files-drop-zone-logs-1a93ba09"}
OLD_ROLES = {"names-e2e-dev-dev-vendor-filesco-1a93ba09", "names-e2e-dev-dev-files-partner-filesco-1a93ba09",
             "names-e2e-dev-dev-net-flow-logs-1a93ba09"}
OLD_BUDGET = "names-e2e-dev-dev-budget-1a93ba09"
# The length each kind was cut to by the old naming's callers.
OLD_LENGTHS = {"s3-bucket": 63, "iam-role": 64, "kms-alias": 250, "name-tag": 63, "budget": 100}


def _old_naming(plan, environment, region, account, function, suffix="", *, kind):
    return naming.legacy_name(plan, environment, region, account, function, suffix, OLD_LENGTHS[kind])


@pytest.fixture
def run(sandbox_state, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FILESCO_EXTERNAL_ID", "e2e-names-external-id")
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, [*args, "--state-dir", str(sandbox_state.root)], catch_exceptions=False)

    return invoke


def _live(sandbox_client) -> dict[str, object]:
    s3, iam = sandbox_client("s3", REGION), sandbox_client("iam", REGION)
    budgets = sandbox_client("budgets", "us-east-1")
    ec2 = sandbox_client("ec2", REGION)
    mine = [{"Name": "tag:provision:plan", "Values": ["names-e2e-dev"]}]
    subnets = ec2.describe_subnets(Filters=mine)["Subnets"]
    tables = ec2.describe_route_tables(Filters=mine)["RouteTables"]
    return {
        "buckets": {b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].startswith("names-e2e-dev-")},
        "roles": {r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"].startswith("names-e2e-dev-")},
        "budgets": {b["BudgetName"] for b in budgets.describe_budgets(AccountId="123456789012").get("Budgets", [])
                    if b["BudgetName"].startswith("names-e2e-dev-")},
        "subnets": {(s["SubnetId"], s["AvailabilityZone"]) for s in subnets},
        "route tables": {(t["RouteTableId"], _tag(t, "Name")) for t in tables},
    }


def _tag(resource: dict, key: str) -> str | None:
    return next((t["Value"] for t in resource.get("Tags", []) if t["Key"] == key), None)


def _pending(run, plan_file: Path) -> list[tuple[str, str, list[str]]]:
    """The re-plan's changes: (resource, op, changed keys)."""
    result = run("plan", str(plan_file), "--format", "json")
    assert result.exit_code == 0, result.output
    changes = json.loads(result.stdout)["resources"]
    return [(c["resource"], c["op"], c["changedKeys"]) for c in changes if c["op"] not in ("same", "read")]


def test_an_upgrade_keeps_every_deployed_name(run, sandbox_client, tmp_path: Path, monkeypatch) -> None:
    plan_file = tmp_path / "names.yaml"
    plan_file.write_text(PLAN)
    (tmp_path / "provision-policies.yaml").write_text(POLICIES)
    write_exit_plan(tmp_path, "filesco")
    export = pulumi.export

    with monkeypatch.context() as before:
        before.setattr(naming, "physical_name", _old_naming)
        before.setattr(pulumi, "export", lambda key, value: None if key == naming.RECORD_OUTPUT else export(key, value))
        applied = run("apply", str(plan_file), "--yes")
    try:
        assert applied.exit_code == 0, applied.output
        deployed = _live(sandbox_client)
        assert deployed["buckets"] == OLD_BUCKETS
        assert deployed["roles"] == OLD_ROLES
        assert deployed["budgets"] == {OLD_BUDGET}
        # ca-central-1 has no zone c.
        assert sorted(zone for _, zone in deployed["subnets"]) == sorted(
            ["ca-central-1a", "ca-central-1b", "ca-central-1d"] * 2)
        assert {name for _, name in deployed["route tables"]} == {
            "names-e2e-dev-dev-net-public-1a93ba09", "names-e2e-dev-dev-net-private-1a93ba09"}

        # The upgrade: today's code, the same plan. Nothing to do, so nothing renamed or replaced.
        assert _pending(run, plan_file) == []

        # A change makes apply run, and record the names the stack uses.
        plan_file.write_text(PLAN.replace("monthlyUSD: 200", "monthlyUSD: 300"))
        reapplied = run("apply", str(plan_file), "--yes")
        assert reapplied.exit_code == 0, reapplied.output
        assert ": 0 created, " in reapplied.stdout and " 0 replaced, 0 deleted" in reapplied.stdout, reapplied.stdout
        assert "s3-bucket:files:drop-zone: names-e2e-dev-dev-files-drop-zone-1a93ba09" in reapplied.stdout
        assert _live(sandbox_client) == deployed

        # From now on the names come from the stack's record.
        assert _pending(run, plan_file) == []
    finally:
        destroyed = run("destroy", str(plan_file), "--yes", "--force-delete-data")
    assert destroyed.exit_code == 0, destroyed.output
    assert _live(sandbox_client) == {"buckets": set(), "roles": set(), "budgets": set(), "subnets": set(),
                                     "route tables": set()}
