"""End to end: vendor access on plans applied by the real engine to the real sandbox.

- Right after apply, live access is exactly the planned access (`access
  --live` exits 0, verify's access.live passes).
- An inline policy widened behind the engine's back through boto3 is named by
  `access --live` (exit 1) and fails verify.
- The offboarding list of each vendor matches what was created: every role
  the vendor's account may assume or that is tagged as its partner role, its
  SFTP users, its prefix's bucket and its alert subscriptions exist, and
  nothing of the kind is missing from the list.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from provision.cli.main import cli
from provision.stacks.access.document import access_document
from provision.stacks.verify.policy_documents import parse as parse_document
from provision.validation.pipeline import load_plan
from tests.examples import copy_example

pytestmark = pytest.mark.e2e

SANDBOX_ACCOUNT = "123456789012"


@pytest.fixture
def run(sandbox, sandbox_state, monkeypatch: pytest.MonkeyPatch):
    for var, value in {"NIGHTWATCH_EXTERNAL_ID": "e2e-nightwatch-id", "CLAIMSCO_EXTERNAL_ID": "e2e-claimsco-id",
                       "SENTRY_SOC_EXTERNAL_ID": "e2e-sentry-id"}.items():  # fmt: skip
        monkeypatch.setenv(var, value)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, [*args, "--state-dir", str(sandbox_state.root)], catch_exceptions=False)

    return invoke


def applied(run, name: str, directory: Path) -> Path:
    plan_file = copy_example(name, directory)
    result = run("apply", str(plan_file), "--yes")
    assert result.exit_code == 0, result.output
    return plan_file


def offboarding_matches_what_exists(run, plan_file: Path, vendor: str, sandbox_client, region: str) -> list[dict]:
    """The vendor's offboarding items (with real ids), each checked against the sandbox, and the converse."""
    plan, _ = load_plan(plan_file)
    outputs = {k: v for k, v in json.loads(run("status", str(plan_file), "--format", "json").stdout)["outputs"].items()
               if isinstance(v, dict)}  # fmt: skip
    [entry] = access_document(plan, vendor, account=SANDBOX_ACCOUNT, outputs=outputs)["vendors"]
    items = entry["offboarding"]
    iam = sandbox_client("iam", region)
    listed_roles = set()
    for item in items:
        if item["kind"] == "role":
            name = item["target"].rsplit("/", 1)[-1]
            assert iam.get_role(RoleName=name)["Role"]["Arn"] == item["target"]
            listed_roles.add(name)
        elif item["kind"] == "sftp-user":
            server, user = item["target"].split("/")
            assert sandbox_client("transfer", region).describe_user(ServerId=server, UserName=user)["User"]["UserName"] == vendor
            listed_roles.add(item["action"].rsplit(" ", 1)[-1])
        elif item["kind"] == "partner-prefix":
            bucket = item["target"].removeprefix("s3://").split("/", 1)[0]
            sandbox_client("s3", region).head_bucket(Bucket=bucket)
        elif item["kind"] == "alert-subscription":
            topic, address = item["target"].split(" ")
            subscribed = sandbox_client("sns", topic.split(":")[3]).list_subscriptions_by_topic(TopicArn=topic)
            assert address in {s["Endpoint"] for s in subscribed["Subscriptions"]}
        elif item["kind"] == "external-id":
            assert item["target"] == plan.providers[vendor].external_id_ref
    # The converse: every role the vendor can reach the account through is listed.
    account = plan.providers[vendor].account_id
    reachable = set()
    for page in iam.get_paginator("list_roles").paginate():
        for role in page["Roles"]:
            trust = json.dumps(parse_document(role["AssumeRolePolicyDocument"]))
            tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=role["RoleName"])["Tags"]}
            if tags.get("provision:plan") != plan.name:
                continue
            if f"arn:aws:iam::{account}:root" in trust or tags.get("provision:partner") == vendor:
                reachable.add(role["RoleName"])
    assert reachable == listed_roles
    return items


def test_live_access_is_as_planned_and_a_widened_inline_policy_is_caught(run, tmp_path: Path, sandbox_client) -> None:
    plan_file = applied(run, "saas-startup.yaml", tmp_path)
    try:
        same = run("access", str(plan_file), "--live")
        assert same.exit_code == 0, same.output
        assert same.stdout.splitlines()[-1] == "Live access is as planned."

        kinds = {i["kind"] for i in offboarding_matches_what_exists(run, plan_file, "nightwatch", sandbox_client, "eu-west-1")}
        assert kinds == {"role", "external-id", "alert-subscription", "contact"}

        outputs = json.loads(run("status", str(plan_file), "--format", "json").stdout)["outputs"]
        role = outputs["vendorRoles"]["nightwatch"].rsplit("/", 1)[-1]
        trail_bucket, site = outputs["soc"]["trail_bucket"], outputs["web"]["bucket_name"]
        iam = sandbox_client("iam")
        policy = iam.get_role_policy(RoleName=role, PolicyName="operate-soc")["PolicyDocument"]
        policy = json.loads(policy) if isinstance(policy, str) else policy
        policy["Statement"] += [
            # Within the boundary (its actions and resources are each there): a real gain.
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{trail_bucket}"},
            # Beyond it: the pii site's objects; capped by the boundary today, reported all the same.
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{site}/*"},
        ]
        iam.put_role_policy(RoleName=role, PolicyName="operate-soc", PolicyDocument=json.dumps(policy))

        widened = run("access", str(plan_file), "--live")
        assert widened.exit_code == 1
        assert [line for line in widened.stdout.splitlines() if line.startswith("DIFFERENCE")] == [
            f"DIFFERENCE  nightwatch: role {role}: grants s3:GetObject on arn:aws:s3:::{trail_bucket} (not planned)",
            f"DIFFERENCE  nightwatch: role {role}: its policies allow s3:GetObject on arn:aws:s3:::{site}/*, "
            "capped by the boundary (not planned)",
        ]
        assert "2 differences between live and planned vendor access of brightdesk-prod." in widened.stderr

        verified = run("verify", str(plan_file), "--format", "json")
        assert verified.exit_code == 1
        failed = [r for r in json.loads(verified.stdout)["results"] if not r["passed"]]
        assert [(r["check"], r["resource"]) for r in failed] == [("access.live", "vendor nightwatch")]
        assert f"grants s3:GetObject on arn:aws:s3:::{trail_bucket} (not planned)" in failed[0]["detail"]
    finally:
        assert run("destroy", str(plan_file), "--yes").exit_code == 0


def test_offboarding_of_the_bpo_and_the_soc_matches_the_sandbox(run, tmp_path: Path, sandbox_client) -> None:
    plan_file = applied(run, "us-healthcare.yaml", tmp_path)
    try:
        claimsco = offboarding_matches_what_exists(run, plan_file, "claimsco", sandbox_client, "us-east-1")
        assert {i["kind"] for i in claimsco} == {"role", "external-id", "partner-prefix", "sftp-user", "contact"}
        assert len([i for i in claimsco if i["kind"] == "role"]) == 2  # its vendor role and its partner role
        soc = offboarding_matches_what_exists(run, plan_file, "sentry-soc", sandbox_client, "us-east-1")
        assert {i["kind"] for i in soc} == {"role", "external-id", "alert-subscription", "contact"}
    finally:
        assert run("destroy", str(plan_file), "--yes").exit_code == 0


def test_live_access_of_the_bpo_plan_is_as_planned(run, tmp_path: Path) -> None:
    plan_file = applied(run, "us-healthcare.yaml", tmp_path)
    try:
        live = run("access", str(plan_file), "--live")
        print(live.stdout)
        assert live.exit_code == 0, [line for line in live.stdout.splitlines() if line.startswith("DIFFERENCE")]
    finally:
        assert run("destroy", str(plan_file), "--yes").exit_code == 0
