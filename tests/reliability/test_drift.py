"""Drift end to end: out-of-band changes are reported resource by resource, nothing is written, apply repairs them.

Changes made through boto3 behind provision's back: the site bucket's
public access block turned off and its KMS encryption removed, the log
bucket's tags removed, the dashboard deleted. `provision drift` reports each
(exit 2), leaves the Pulumi backend byte for byte as it was, and after
`provision apply` a second drift run is clean (exit 0).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

PLAN = "rel-drift"


def backend_snapshot(state_root: Path) -> dict[str, str]:
    """Every file of the sandbox's Pulumi backend (state, history, backups) with its content hash."""
    root = state_root / "sandbox" / "pulumi" / "backend"
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def test_drift_reports_out_of_band_changes_writes_nothing_and_apply_repairs(
    cli, write_plan, sandbox_client, sandbox_state
) -> None:
    plan = write_plan(PLAN)
    assert cli("apply", str(plan), "--yes").exit_code == 0
    clean = cli("drift", str(plan))
    assert clean.exit_code == 0, clean.output
    assert clean.stdout == f"No drift: the 13 resource(s) of {PLAN}/test on target sandbox match what provision last applied.\n"

    outputs = json.loads(cli("status", str(plan), "--format", "json").stdout)["outputs"]
    site, logs, dashboard = outputs["web"]["bucket_name"], outputs["web"]["log_bucket_name"], outputs["ops"]["dashboard_name"]
    s3 = sandbox_client("s3")
    s3.delete_public_access_block(Bucket=site)
    s3.delete_bucket_encryption(Bucket=site)
    s3.delete_bucket_tagging(Bucket=logs)
    sandbox_client("cloudwatch").delete_dashboards(DashboardNames=[dashboard])

    before = backend_snapshot(sandbox_state.root)
    found = cli("drift", str(plan))
    assert found.exit_code == 2, found.output
    assert found.stdout == (
        f"Drift in {PLAN}/test on target sandbox: 3 of 13 resource(s) changed outside provision.\n"
        "\n"
        "ops (monitoring)\n"
        "   - deleted  CloudWatchDashboard ops-dashboard\n"
        "web (hosting)\n"
        "   ~ changed  S3Bucket web-logs\n"
        "        tags: removed provision:environment, provision:function, provision:plan, provision:provider\n"
        "   ~ changed  S3Bucket web-site\n"
        "        block_public_access: true -> false\n"
        f"        kms_key_arn: {outputs['web']['kms_key_arn']} -> (none)\n"
        "\n"
        f"Run `provision apply {plan}` to restore what the plan declares.\n"
    )
    as_json = cli("drift", str(plan), "--format", "json")
    assert as_json.exit_code == 2
    document = json.loads(as_json.stdout)
    assert (document["kind"], document["drifted"], document["summary"]) == (
        "Drift", True, {"deleted": 1, "changed": 2, "unchanged": 10}
    )
    assert [(r["resource"], r["status"], [p["name"] for p in r["properties"]]) for r in document["resources"]] == [
        ("ops-dashboard", "deleted", []),
        ("web-logs", "changed", ["tags"]),
        ("web-site", "changed", ["block_public_access", "kms_key_arn"]),
    ]
    assert backend_snapshot(sandbox_state.root) == before, "a drift check must not write the state"

    repaired = cli("apply", str(plan), "--yes")
    assert repaired.exit_code == 0, repaired.output
    assert "Applied in " in repaired.stdout and ": 1 created, 2 updated, 0 replaced, 0 deleted, 10 unchanged." in repaired.stdout
    assert cli("drift", str(plan)).exit_code == 0
    block = s3.get_public_access_block(Bucket=site)["PublicAccessBlockConfiguration"]
    assert all(block.values())
    rule = s3.get_bucket_encryption(Bucket=site)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == outputs["web"]["kms_key_arn"]
    assert {t["Key"] for t in s3.get_bucket_tagging(Bucket=logs)["TagSet"]} >= {"provision:plan", "provision:function"}
    assert sandbox_client("cloudwatch").get_dashboard(DashboardName=dashboard)["DashboardName"] == dashboard
