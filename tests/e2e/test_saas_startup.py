"""End to end: the README's example plan through the real engine into the real sandbox.

No mocks: the CLI as a user runs it (in process), the Pulumi engine, the
dynamic providers in their own processes, and the moto server. Checked
through boto3: what apply creates exists, a second apply changes nothing,
one changed value gives exactly one update, and destroy leaves nothing tagged
with the plan.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from provision.cli.main import cli

pytestmark = pytest.mark.e2e

PLAN_NAME = "brightdesk-e2e"


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory: pytest.TempPathFactory, write_example) -> Path:
    return write_example(tmp_path_factory.mktemp("e2e-plan"), name=PLAN_NAME, price_class="PriceClass_100")


@pytest.fixture
def run(sandbox_state, monkeypatch: pytest.MonkeyPatch):
    """`run(*args)`: the CLI against the session sandbox; returns the click Result."""
    # The example's vendor has `externalIdRef: env:NIGHTWATCH_EXTERNAL_ID`.
    monkeypatch.setenv("NIGHTWATCH_EXTERNAL_ID", "e2e-external-id")
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(cli, [*args, "--state-dir", str(sandbox_state.root)], input=input, catch_exceptions=False)

    return invoke


def outputs(run, plan_file: Path) -> dict:
    result = run("status", str(plan_file), "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["outputs"]


def test_apply_noop_change_destroy(run, plan_file: Path, sandbox_client, tagged, write_example) -> None:
    started = time.monotonic()
    # As at a terminal: the preview, a question, then the update; it makes exactly what the preview said.
    applied = run("apply", str(plan_file), input="y\n")
    print(f"first e2e apply: {time.monotonic() - started:.1f}s")
    assert applied.exit_code == 0, applied.output
    assert f"Apply these changes to {PLAN_NAME}/" in applied.output
    forecast = re.search(r"\nPlan: (\d+) to create, 0 to update, 0 to replace, 0 to delete, 0 unchanged\.\n", applied.stdout)
    assert forecast, applied.stdout
    assert f": {forecast[1]} created, 0 updated, 0 replaced, 0 deleted, 0 unchanged.\n" in applied.stdout
    assert "The preview said" not in applied.stdout

    out = outputs(run, plan_file)
    s3, cloudfront = sandbox_client("s3"), sandbox_client("cloudfront")
    for bucket in (out["web"]["bucket_name"], out["web"]["log_bucket_name"], out["soc"]["trail_bucket"]):
        s3.head_bucket(Bucket=bucket)
    site_encryption = s3.get_bucket_encryption(Bucket=out["web"]["bucket_name"])
    assert site_encryption["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"][
        "SSEAlgorithm"
    ] == "aws:kms"
    distribution = cloudfront.get_distribution(Id=out["web"]["distribution_id"])["Distribution"]
    assert distribution["DistributionConfig"]["PriceClass"] == "PriceClass_100"
    backup = sandbox_client("backup")
    assert backup.describe_backup_vault(BackupVaultName=out["backups"]["vault_name"])["BackupVaultName"]
    assert sandbox_client("backup", "eu-central-1").list_backup_vaults()["BackupVaultList"]
    assert backup.get_backup_plan(BackupPlanId=out["backups"]["plan_id"])["BackupPlan"]["Rules"]
    assert sandbox_client("guardduty").get_detector(DetectorId=out["soc"]["detector_id"])["Status"] == "ENABLED"
    trail = sandbox_client("cloudtrail").get_trail(Name=out["soc"]["trail_arn"])["Trail"]
    assert (trail["IsMultiRegionTrail"], trail["LogFileValidationEnabled"]) == (True, True)
    role_name = out["vendorRoles"]["nightwatch"].rsplit("/", 1)[-1]
    assert sandbox_client("iam").get_role(RoleName=role_name)["Role"]["MaxSessionDuration"] == 3600
    tagged_functions = {tags.get("provision:function") for tags in tagged(PLAN_NAME).values()}
    assert {"web", "backups", "soc"} <= tagged_functions

    # Nothing changed: nothing to do.
    again = run("plan", str(plan_file), "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes: the target already matches the plan (" in again.stdout
    silent = run("plan", str(plan_file), "--format", "markdown", "--quiet-if-no-changes")
    assert (silent.exit_code, silent.stdout) == (0, "")
    reapplied = run("apply", str(plan_file), "--yes")
    assert reapplied.exit_code == 0 and "No changes: the target already matches the plan" in reapplied.stdout
    assert "Applied in" not in reapplied.stdout

    # One value changed: exactly one update, on the distribution, for that setting.
    write_example(plan_file.parent, name=PLAN_NAME, price_class="PriceClass_200")
    preview = run("plan", str(plan_file), "--format", "json", "--detailed-exitcode")
    assert preview.exit_code == 2, preview.output
    document = json.loads(preview.stdout)
    changed = [(r["function"], r["resource"], r["op"], r["changedKeys"]) for r in document["resources"] if r["op"] != "same"]
    assert changed == [("web", "web-cdn", "update", ["price_class"])]
    assert document["summary"] == {**document["summary"], "create": 0, "update": 1, "replace": 0, "delete": 0}
    comment = run("plan", str(plan_file), "--format", "markdown")
    assert comment.exit_code == 0, comment.output
    assert comment.stdout.startswith(f"<!-- provision:plan-comment:{PLAN_NAME} -->\n")
    assert "| web-cdn |" in comment.stdout and len(comment.stdout) < 65_536
    updated = run("apply", str(plan_file), "--yes")
    assert updated.exit_code == 0, updated.output
    assert " 0 created, 1 updated, 0 replaced, 0 deleted, " in updated.stdout
    # --yes has no preview to show: it lists what the update did, by function, without a "Plan:" forecast.
    assert "\nweb (hosting)\n   ~ update   CloudFrontDistribution web-cdn  (price_class)\n\nApplied in " in updated.stdout
    assert "Plan: " not in updated.stdout
    distribution = cloudfront.get_distribution(Id=out["web"]["distribution_id"])["Distribution"]
    assert distribution["DistributionConfig"]["PriceClass"] == "PriceClass_200"

    # Destroy: nothing tagged with the plan is left (KMS keys only wait out their deletion window).
    destroyed = run("destroy", str(plan_file), "--yes")
    assert destroyed.exit_code == 0, destroyed.output
    assert tagged(PLAN_NAME) == {}
    assert [b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].startswith(PLAN_NAME)] == []
    assert cloudfront.list_distributions()["DistributionList"].get("Items", []) == []
    assert sandbox_client("guardduty").list_detectors()["DetectorIds"] == []
    assert sandbox_client("cloudtrail").describe_trails()["trailList"] == []
    assert backup.list_backup_vaults()["BackupVaultList"] == []
    assert [r for r in sandbox_client("iam").list_roles()["Roles"] if r["RoleName"].startswith(PLAN_NAME)] == []
    status = run("status", str(plan_file))
    assert status.stdout.endswith(": not deployed.\n")
