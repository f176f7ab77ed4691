"""`provision verify` through CliRunner: the stack is a deployment of real resources in moto."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from provision.cli.main import cli
from provision.stacks.functions.hosting import log_bucket_policy, site_bucket_policy
from provision.stacks.providers.base import client
from provision.stacks.providers.cloudfront_distribution import CloudFrontDistributionProvider
from provision.stacks.providers.kms_key import KmsKeyProvider
from provision.stacks.providers.s3_bucket import S3BucketProvider
from provision.stacks.targets import SandboxNotRunning
from provision.stacks.verify import live

PLAN = """\
apiVersion: provision/v1
kind: OutsourcingPlan
metadata: {name: tiny-site, owner: ops@tiny.example}
spec:
  environment: dev
  region: eu-west-1
  dataResidency: eu
  providers: {aws: {type: cloud}}
  functions:
    web: {type: hosting, provider: aws, hosting: {kind: static-site}}
"""
TAGS = {"provision:plan": "tiny-site", "provision:function": "web", "provision:provider": "aws", "provision:environment": "dev"}
SITE, LOGS = "tiny-site-web-site", "tiny-site-web-logs"
HOSTING = "provision:function:Hosting"
DYNAMIC = "pulumi-python:dynamic:Resource"


@dataclass
class FakeTarget:
    name: str = "sandbox"
    region: str = "eu-west-1"
    env: dict = field(default_factory=dict)


@dataclass
class FakeStack:
    ops: object = None
    target: FakeTarget = field(default_factory=FakeTarget)


def _entry(name: str, created) -> dict:
    urn = f"urn:pulumi:dev::tiny-site::{HOSTING}${DYNAMIC}::{name}"
    return {"urn": urn, "type": DYNAMIC, "custom": True, "id": created.id, "parent": f"urn:pulumi:dev::tiny-site::{HOSTING}::web", "outputs": created.outs}


@pytest.fixture
def deployment(aws) -> dict:
    """The hosting function of PLAN, made by its providers as the program makes it."""
    key = KmsKeyProvider().create({"description": "site", "enable_key_rotation": True, "tags": TAGS})
    cdn = CloudFrontDistributionProvider().create(
        {"origin_domain_name": f"{SITE}.s3.eu-west-1.amazonaws.com", "oac_name": SITE, "tags": TAGS}
    )
    logs = S3BucketProvider().create({"bucket_name": LOGS, "bucket_policy": log_bucket_policy(LOGS, "123456789012", SITE), "tags": TAGS})
    site = S3BucketProvider().create(
        {"bucket_name": SITE, "kms_key_arn": key.outs["arn"], "versioning": True, "access_log_bucket": LOGS,
         "bucket_policy": site_bucket_policy(SITE, cdn.outs["arn"]), "tags": TAGS}
    )  # fmt: skip
    component = {"urn": f"urn:pulumi:dev::tiny-site::{HOSTING}::web", "type": HOSTING, "custom": False}
    entries = [_entry(n, c) for n, c in (("web-key", key), ("web-cdn", cdn), ("web-logs", logs), ("web-site", site))]
    return {"resources": [component, *entries]}


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(PLAN)
    return path


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch, deployment):
    """Route the command to `deployment`, audited through moto."""
    state = {"deployment": deployment, "running": True}

    def open_plan_stack(plan, **kwargs):
        if not state["running"]:
            raise SandboxNotRunning("The sandbox is not running.")
        return FakeStack(target=FakeTarget(name=kwargs["target"]))

    monkeypatch.setattr("provision.cli.stack_options.open_plan_stack", open_plan_stack)
    monkeypatch.setattr(live, "deployment_of", lambda ops: state["deployment"])
    monkeypatch.setattr(live, "target_clients", lambda target: client)
    return state


def invoke(*args: str):
    return CliRunner().invoke(cli, ["verify", *args])


CHECKS_OF_A_COMPLIANT_SITE = [
    ("PASS", "plan.deployed", "function web"),
    ("PASS", "kms.rotation", "arn:aws:kms:"),
    ("PASS", "tags", "arn:aws:cloudfront:"),
    ("PASS", "s3.encryption", f"arn:aws:s3:::{LOGS}"),
    ("PASS", "s3.tls-only", f"arn:aws:s3:::{SITE}"),
    ("PASS", "s3.versioning", f"arn:aws:s3:::{SITE}"),
]


@pytest.mark.parametrize(
    ("weaken", "extra_args", "expected_lines", "stderr", "exit_code"),
    [
        (None, [], CHECKS_OF_A_COMPLIANT_SITE, "", 0),
        (None, ["--target", "aws"], [("PASS", "s3.encryption", f"arn:aws:s3:::{SITE}")], "", 0),
        (lambda: client("s3").delete_bucket_encryption(Bucket=SITE), [],
         [("FAIL", "s3.encryption", f"arn:aws:s3:::{SITE}  no default encryption configured"), ("PASS", "s3.encryption", f"arn:aws:s3:::{LOGS}")],
         "Error: 1 of 13 checks failed for tiny-site/dev on target sandbox.", 1),
        (lambda: client("s3").delete_bucket_tagging(Bucket=LOGS), [],
         [("FAIL", "tags", f"arn:aws:s3:::{LOGS}  missing provision:environment, provision:function, provision:plan, provision:provider")],
         "Error: 1 of 13 checks failed", 1),
    ],
    ids=["compliant", "aws-target", "encryption-removed", "tags-removed"],
)  # fmt: skip
def test_verify_text(stack, plan_file, weaken, extra_args, expected_lines, stderr, exit_code):
    if weaken:
        weaken()
    result = invoke(str(plan_file), *extra_args)
    assert result.exit_code == exit_code, result.output
    lines = result.stdout.splitlines()
    for status, check, rest in expected_lines:
        assert any(line.startswith(f"{status}  {check} ") and rest in line for line in lines), (status, check, rest, result.stdout)
    target = extra_args[1] if extra_args else "sandbox"
    verdict = "1 failed" if exit_code else "all passed"
    assert lines[-1] == f"Verified tiny-site/dev on target {target}: 13 checks, {verdict}."
    assert stderr in result.stderr


def test_verify_json(stack, plan_file):
    client("kms").disable_key_rotation(KeyId=stack["deployment"]["resources"][1]["id"])
    result = invoke(str(plan_file), "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert {k: doc[k] for k in ("apiVersion", "kind", "plan", "environment", "target", "passed", "summary", "unaudited")} == {
        "apiVersion": "provision/v1", "kind": "Verification", "plan": "tiny-site", "environment": "dev", "target": "sandbox",
        "passed": False, "summary": {"checks": 13, "failed": 1}, "unaudited": [],
    }  # fmt: skip
    [failed] = [r for r in doc["results"] if not r["passed"]]
    assert failed["check"] == "kms.rotation" and failed["resource"].startswith("arn:aws:kms:eu-west-1:123456789012:key/")
    assert failed["detail"] == "automatic key rotation disabled"


def test_verify_table_on_a_terminal(stack, plan_file, monkeypatch):
    monkeypatch.setattr("provision.cli.commands.verify._stdout_is_terminal", lambda: True)
    result = invoke(str(plan_file))
    assert result.exit_code == 0, result.output
    assert "provision verify tiny-site/dev (sandbox)" in result.stdout
    assert "Result" in result.stdout and "Resource" in result.stdout and "PASS" in result.stdout
    assert "Verified tiny-site/dev on target sandbox: 13 checks, all passed." in result.stdout


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ({"deployment": None}, "Error: nothing deployed for stack tiny-site/dev on target sandbox; run `provision apply {plan}` first."),
        ({"deployment": {"resources": []}}, "Error: nothing deployed for stack tiny-site/dev on target sandbox; run `provision apply {plan}` first."),
        ({"running": False}, "Error: Nothing of tiny-site/dev is deployed: the sandbox is not running. Run `provision apply {plan}` first."),
    ],
    ids=["no-stack", "empty-stack", "sandbox-down"],
)
def test_nothing_deployed_exits_1(stack, plan_file, state, message):
    stack.update(state)
    result = invoke(str(plan_file))
    assert (result.exit_code, result.stdout) == (1, "")
    assert message.format(plan=plan_file) in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.yaml"], "Error: Invalid value for 'PLAN': File 'missing.yaml' does not exist."),
        (["{plan}", "--target", "mars"], "Error: Invalid value for '--target': 'mars' is not one of 'sandbox', 'aws'."),
        (["{plan}", "--format", "xml"], "Error: Invalid value for '--format': 'xml' is not one of 'text', 'json'."),
        (["{bad}"], "is not a valid plan; nothing was provisioned."),
    ],
    ids=["missing-file", "bad-target", "bad-format", "invalid-plan"],
)
def test_bad_input_exits_2(stack, plan_file, tmp_path, args, message):
    bad = tmp_path / "bad.yaml"
    bad.write_text(PLAN.replace("environment: dev", "environment: moon"))
    result = invoke(*(a.format(plan=plan_file, bad=bad) for a in args))
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_help_teaches_examples_and_exit_codes():
    result = CliRunner().invoke(cli, ["verify", "--help"])
    assert result.exit_code == 0
    for text in ("provision verify examples/saas-startup.yaml", "Exit codes:", "0  every check passed", "2  PLAN is invalid"):
        assert text in result.output


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        ("failures", [f"FAIL  s3.encryption  arn:aws:s3:::{SITE}  no default encryption configured"]),
        ("summary", [
            "PASS  plan.deployed           1 passed, 0 failed",
            "FAIL  s3.encryption           1 passed, 1 failed",
        ]),
    ],
)  # fmt: skip
def test_item9_failures_only_and_summary_views(stack, plan_file, view, expected):
    client("s3").delete_bucket_encryption(Bucket=SITE)
    result = invoke(str(plan_file), "--show", view)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[-1] == "Verified tiny-site/dev on target sandbox: 13 checks, 1 failed."
    if view == "failures":
        assert lines[:-1] == expected
    else:
        assert [line for line in lines if line.split()[1] in ("plan.deployed", "s3.encryption")] == expected
        assert len(lines) - 1 == len({line.split()[1] for line in lines[:-1]})  # one line per kind of check
