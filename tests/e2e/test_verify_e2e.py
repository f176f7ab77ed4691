"""End to end: `provision verify` on plans applied by the real engine to the real sandbox.

A freshly applied plan passes every check; a resource weakened behind the
engine's back through boto3 (the site bucket's encryption removed, the
vendor role's permissions boundary removed) makes verify fail, naming that
resource's ARN. The plan with all six function types passes as well.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from provision.cli.main import cli
from tests.examples import copy_example

pytestmark = pytest.mark.e2e

# Every check a plan with hosting, an immutable backup, all four security services and a vendor exercises.
SAAS_CHECKS = {
    "plan.deployed", "s3.encryption", "s3.public-access-block", "s3.versioning", "s3.tls-only", "tags", "kms.rotation",
    "sns.encryption", "cloudtrail.logging", "cloudtrail.log-validation", "cloudtrail.multi-region", "cloudtrail.kms",
    "guardduty.enabled", "securityhub.enabled", "securityhub.standards", "config.recording", "backup.vault-key",
    "backup.vault-lock", "backup.vault-guard", "iam.vendor-trust", "iam.session-duration", "iam.permissions-boundary",
    "iam.least-privilege", "access.live", "backup.plan-schedule", "backup.plan-retention", "backup.plan-copy",
}  # fmt: skip


@pytest.fixture
def run(sandbox, sandbox_state, monkeypatch: pytest.MonkeyPatch):
    """`run(*args)`: the CLI against the session sandbox; returns the click Result."""
    monkeypatch.setenv("NIGHTWATCH_EXTERNAL_ID", "e2e-nightwatch-id")  # saas-startup's vendor
    monkeypatch.setenv("VERIFYCO_EXTERNAL_ID", "e2e-verifyco-id")  # eu-fintech's BPO
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, [*args, "--state-dir", str(sandbox_state.root)], catch_exceptions=False)

    return invoke


# eu-fintech's vendors whose ExternalId lives in SSM or Secrets Manager.
VENDOR_REFS = {
    "wachturm": "ssm:/provision/vendors/wachturm/external-id",
    "netzwerk": "ssm:/provision/vendors/netzwerk/external-id",
    "opsbridge": "secretsmanager:provision/vendors/opsbridge/external-id",
}


def verify_json(run, plan_file: Path) -> tuple[int, dict]:
    started = time.monotonic()
    result = run("verify", str(plan_file), "--format", "json")
    print(f"verify {plan_file.name}: {time.monotonic() - started:.1f}s wall time")
    return result.exit_code, json.loads(result.stdout)


def failures(document: dict) -> list[tuple[str, str, str]]:
    return [(r["check"], r["resource"], r["detail"]) for r in document["results"] if not r["passed"]]


def test_verify_passes_after_apply_and_names_what_was_weakened(run, tmp_path: Path, sandbox_client) -> None:
    plan_file = copy_example("saas-startup.yaml", tmp_path)
    never_applied = run("verify", str(plan_file))
    assert never_applied.exit_code == 1
    assert "nothing deployed for stack brightdesk-prod/prod on target sandbox; run `provision apply" in never_applied.stderr

    applied = run("apply", str(plan_file), "--yes")
    assert applied.exit_code == 0, applied.output
    try:
        code, document = verify_json(run, plan_file)
        assert (code, failures(document)) == (0, [])
        assert {r["check"] for r in document["results"]} == SAAS_CHECKS
        text = run("verify", str(plan_file))
        assert text.exit_code == 0, text.output
        assert text.stdout.splitlines()[-1] == f"Verified brightdesk-prod/prod on target sandbox: {len(document['results'])} checks, all passed."

        status = json.loads(run("status", str(plan_file), "--format", "json").stdout)["outputs"]
        site = status["web"]["bucket_name"]
        role_arn = status["vendorRoles"]["nightwatch"]
        sandbox_client("s3").delete_bucket_encryption(Bucket=site)
        weakened = run("verify", str(plan_file))
        assert weakened.exit_code == 1
        assert [" ".join(line.split()) for line in weakened.stdout.splitlines() if line.startswith("FAIL")] == [
            f"FAIL s3.encryption arn:aws:s3:::{site} no default encryption configured"
        ]
        assert f"Error: 1 of {len(document['results'])} checks failed for brightdesk-prod/prod on target sandbox." in weakened.stderr

        role_name = role_arn.rsplit("/", 1)[-1]
        sandbox_client("iam").delete_role_permissions_boundary(RoleName=role_name)
        code, document = verify_json(run, plan_file)
        assert (code, failures(document)) == (1, [
            ("s3.encryption", f"arn:aws:s3:::{site}", "no default encryption configured"),
            ("iam.permissions-boundary", role_arn, "no permissions boundary attached"),
            ("access.live", "vendor nightwatch", f"nightwatch: role {role_name}: permissions boundary missing"),
        ])  # fmt: skip
    finally:
        destroyed = run("destroy", str(plan_file), "--yes")
        assert destroyed.exit_code == 0, destroyed.output


def test_verify_passes_on_the_plan_with_all_six_function_types(run, tmp_path: Path, sandbox_client, tagged) -> None:
    # The example as shipped: its ExternalIds live in the target's SSM and Secrets Manager.
    plan_file = copy_example("eu-fintech.yaml", tmp_path)
    ssm, secrets = sandbox_client("ssm", "eu-central-1"), sandbox_client("secretsmanager", "eu-central-1")
    for vendor, ref in VENDOR_REFS.items():
        scheme, _, name = ref.partition(":")
        if scheme == "ssm":
            ssm.put_parameter(Name=name, Value=f"e2e-{vendor}-id", Type="SecureString", Overwrite=True)
        else:
            secrets.create_secret(Name=name, SecretString=f"e2e-{vendor}-id")

    applied = run("apply", str(plan_file), "--yes")
    assert applied.exit_code == 0, applied.output
    try:
        code, document = verify_json(run, plan_file)
        assert (code, failures(document)) == (0, [])
        deployed = {r["resource"] for r in document["results"] if r["check"] == "plan.deployed"}
        assert deployed == {f"function {f}" for f in ("portal", "payments-net", "soc", "kyc-exchange", "ops", "backups")} | {
            f"provider {p}" for p in ("wachturm", "netzwerk", "opsbridge", "verifyco")
        }
        assert {"logs.encryption", "iam.least-privilege", "backup.plan-schedule", "network.flow-log-retention"} <= {
            r["check"] for r in document["results"]}
    finally:
        destroyed = run("destroy", str(plan_file), "--yes")
        assert destroyed.exit_code == 0, destroyed.output
    assert tagged("ledgerly-prod") == {}
