"""End to end on the sandbox: vaults carry the recovery-point guard, and the deployer still destroys them."""

from __future__ import annotations

import json

import pytest

PLAN = "rel-vault"
BACKUP = """\
    backups:
      type: backup
      provider: aws
      backup: {protects: [web], rpoHours: 24, retentionDays: 7}
"""


@pytest.mark.e2e
def test_vault_denies_recovery_point_deletion_to_all_but_the_deployer_who_still_destroys(
    cli, write_plan, sandbox_client, inventory
) -> None:
    plan = write_plan(PLAN)
    plan.write_text(plan.read_text().replace("  functions:\n", "  functions:\n" + BACKUP, 1))
    applied = cli("apply", str(plan), "--yes")
    assert applied.exit_code == 0, applied.output

    vault = json.loads(cli("status", str(plan), "--format", "json").stdout)["outputs"]["backups"]["vault_name"]
    policy = json.loads(sandbox_client("backup").get_backup_vault_access_policy(BackupVaultName=vault)["Policy"])
    account = sandbox_client("sts").get_caller_identity()["Account"]
    # The sandbox deploys as moto's default IAM user; aws:PrincipalArn names a user by its IAM ARN
    # (moto's GetCallerIdentity spells it arn:aws:sts::..., AWS spells it arn:aws:iam::...).
    deployer = f"arn:aws:iam::{account}:user/moto"
    assert policy["Statement"] == [{
        "Sid": "OnlyTheDeployerDeletesRecoveryPoints",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"],
        "Resource": "*",
        "Condition": {"ArnNotLike": {"aws:PrincipalArn": [deployer]}},
    }]

    forced = cli("destroy", str(plan), "--yes", "--force-delete-data")
    assert forced.exit_code == 0, forced.output
    assert inventory(PLAN) == []
