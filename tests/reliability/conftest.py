"""Fixtures for the reliability tests: a small multi-service plan, the CLI, faults, and an AWS inventory.

- `write_plan(name, ...)`: a plan file (hosting, plus monitoring by an external
  vendor whose ExternalId comes from an env var; or by several vendors, `monitors`)
  named `name`, in a tmp dir.
  It touches S3, CloudFront, KMS, SNS, IAM, CloudWatch and Budgets: the
  query, JSON, REST-XML and RPC-v2 CBOR protocols.
- `cli(*args)`: the CLI in process against the session sandbox; returns the click Result.
- `provision_process(*args)`: the CLI as a real subprocess (for signals and concurrency).
- `faults`: the session sandbox's fault injector; cleared after the test.
- `inventory(plan)`: ids of every live resource of the plan, listed per service through boto3.
- `state_ids(plan_file)`: ids of the resources the stack's state holds.
  Both are sorted lists: two kinds may share a name (a role and a dashboard), and a duplicate must show.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Callable, Iterator

import pytest
from click.testing import CliRunner

from provision.cli.main import cli as provision_cli
from provision.stacks.sandbox.faults import FaultControl

VENDOR_ENV = "RELIABILITY_OPS_EXTERNAL_ID"
VENDOR_EXTERNAL_ID = "reliability-extid-0b7d"  # not a secret: the tests look for it where it must never be
REGIONS = ("eu-west-1", "us-east-1")

PLAN_TEMPLATE = """\
apiVersion: provision/v1
kind: OutsourcingPlan
metadata:
  name: {name}
  owner: platform@example.com
spec:
  environment: test
  region: eu-west-1
  dataResidency: eu
  compliance: []
  providers:
    aws: {{type: cloud}}
{vendors}
  functions:
    web:
      type: hosting
      provider: aws
      hosting: {{kind: static-site}}
{monitors}
  budget: {{monthlyUSD: 100}}
"""
VENDOR_TEMPLATE = """\
    {vendor}:
      type: msp
      accountId: "{account}"
      externalIdRef: {external_id_ref}
      country: IE
      support: 24x7
      exitPlan: docs/exit/opsco.md
      contractEnds: 2030-01-31
      contacts: [ops@opsco.example]"""
MONITOR_TEMPLATE = """\
    {function}:
      type: monitoring
      provider: {vendor}
      monitoring:
        watches: [web]
        notify: [oncall@example.com]"""


def plan_text(name: str, monitors: dict[str, tuple[str, str]]) -> str:
    """The plan: `monitors` maps each monitoring function to its vendor and the vendor's externalIdRef."""
    vendors = [
        VENDOR_TEMPLATE.format(vendor=vendor, account=f"21098765432{i}", external_id_ref=ref)
        for i, (vendor, ref) in enumerate(monitors.values(), start=1)
    ]
    functions = [MONITOR_TEMPLATE.format(function=function, vendor=vendor) for function, (vendor, _) in monitors.items()]
    return PLAN_TEMPLATE.format(name=name, vendors="\n".join(vendors), monitors="\n".join(functions))


@pytest.fixture
def write_plan(tmp_path: Path, sandbox, sandbox_state, vendor_env) -> Iterator[Callable[..., Path]]:
    """Write a plan file; whatever the test leaves deployed of it is destroyed afterwards, without faults."""
    written: list[Path] = []

    def write(
        name: str,
        vendor_env: str = VENDOR_ENV,
        external_id_ref: str | None = None,
        monitors: dict[str, tuple[str, str]] | None = None,
    ) -> Path:
        path = tmp_path / f"{name}.yaml"
        path.write_text(plan_text(name, monitors or {"ops": ("opsco", external_id_ref or f"env:{vendor_env}")}))
        exit_plan = tmp_path / "docs" / "exit" / "opsco.md"  # the exit plan the template names must exist
        exit_plan.parent.mkdir(parents=True, exist_ok=True)
        exit_plan.write_text("# Exit plan: OpsCo\n")
        written.append(path)
        return path

    yield write
    FaultControl(sandbox.url, sandbox.ca_bundle).clear()
    for path in written:
        CliRunner().invoke(
            provision_cli, ["destroy", str(path), "--yes", "--state-dir", str(sandbox_state.root)], catch_exceptions=True
        )


@pytest.fixture
def vendor_env(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(VENDOR_ENV, VENDOR_EXTERNAL_ID)
    return VENDOR_EXTERNAL_ID


@pytest.fixture
def cli(sandbox, sandbox_state, vendor_env) -> Callable[..., object]:
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(provision_cli, [*args, "--state-dir", str(sandbox_state.root)], catch_exceptions=False)

    return invoke


@pytest.fixture
def provision_process(sandbox, sandbox_state, vendor_env) -> Iterator[Callable[..., subprocess.Popen]]:
    """Start `provision ARGS --state-dir ...` as its own process; every one still running at the end is killed."""
    started: list[subprocess.Popen] = []

    def start(*args: str, **kwargs) -> subprocess.Popen:
        kwargs.setdefault("start_new_session", True)  # a group of its own, killed whole at the end
        proc = subprocess.Popen(
            [sys.executable, "-m", "provision", *args, "--state-dir", str(sandbox_state.root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **kwargs.pop("env", {})},
            **kwargs,
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the CLI and whatever it started in its group
            proc.communicate()


@pytest.fixture
def faults(sandbox) -> Iterator[FaultControl]:
    control = FaultControl(sandbox.url, sandbox.ca_bundle)
    control.clear()
    yield control
    control.clear()


@pytest.fixture
def inventory(sandbox_client) -> Callable[[str], list[str]]:
    """`inventory(plan)`: the ids (as the providers record them) of every live resource of `plan`.

    Listed per service and kept when tagged provision:plan=<plan>; CloudWatch
    dashboards take no tags, so they are matched by their name prefix. KMS keys
    pending deletion are not live.
    """

    def tags_of(pairs, key: str = "Key", value: str = "Value") -> dict[str, str]:
        return {p[key]: p[value] for p in pairs or []}

    def ours(tags: dict[str, str], plan: str) -> bool:
        return tags.get("provision:plan") == plan

    def sweep(plan: str) -> list[str]:
        found: list[str] = []
        s3 = sandbox_client("s3")
        for bucket in s3.list_buckets()["Buckets"]:
            try:
                tags = tags_of(s3.get_bucket_tagging(Bucket=bucket["Name"])["TagSet"])
            except s3.exceptions.ClientError:
                tags = {}
            if ours(tags, plan) or bucket["Name"].startswith(f"{plan}-"):
                found.append(bucket["Name"])
        iam = sandbox_client("iam")
        for role in iam.list_roles()["Roles"]:
            if ours(tags_of(iam.list_role_tags(RoleName=role["RoleName"])["Tags"]), plan):
                found.append(role["RoleName"])
        cloudfront = sandbox_client("cloudfront")
        for dist in cloudfront.list_distributions()["DistributionList"].get("Items", []):
            tags = cloudfront.list_tags_for_resource(Resource=dist["ARN"])["Tags"]["Items"]
            if ours(tags_of(tags), plan):
                found.append(dist["Id"])
        account = sandbox_client("sts").get_caller_identity()["Account"]
        budgets = sandbox_client("budgets", "us-east-1")
        for budget in budgets.describe_budgets(AccountId=account).get("Budgets", []):
            if budget["BudgetName"].startswith(f"{plan}-"):
                found.append(budget["BudgetName"])
        for region in REGIONS:
            kms = sandbox_client("kms", region)
            for key in kms.list_keys()["Keys"]:
                if kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingDeletion":
                    continue
                tags = tags_of(kms.list_resource_tags(KeyId=key["KeyId"])["Tags"], "TagKey", "TagValue")
                if ours(tags, plan):
                    found.append(key["KeyId"])
            sns = sandbox_client("sns", region)
            for topic in sns.list_topics()["Topics"]:
                if ours(tags_of(sns.list_tags_for_resource(ResourceArn=topic["TopicArn"])["Tags"]), plan):
                    found.append(topic["TopicArn"])
            cloudwatch = sandbox_client("cloudwatch", region)
            for alarm in cloudwatch.describe_alarms()["MetricAlarms"]:
                if ours(tags_of(cloudwatch.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"]), plan):
                    found.append(alarm["AlarmName"])
            for board in cloudwatch.list_dashboards(DashboardNamePrefix=f"{plan}-")["DashboardEntries"]:
                found.append(board["DashboardName"])
        return sorted(found)

    return sweep


@pytest.fixture
def state_ids(cli) -> Callable[[Path], list[str]]:
    """`state_ids(plan_file)`: the ids of the resources in the plan's stack state (via `provision status`)."""

    def ids(plan_file: Path) -> list[str]:
        result = cli("status", str(plan_file), "--format", "json")
        assert result.exit_code == 0, result.output
        return sorted(r["id"] for r in json.loads(result.stdout)["resources"])

    return ids
