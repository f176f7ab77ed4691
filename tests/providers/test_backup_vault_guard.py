"""The vault access policy: only the deployer may delete or shorten recovery points (moto + the gap fill)."""

from __future__ import annotations

import json

import boto3
import pytest

from provision.stacks.providers.backup_vault import BackupVaultProvider
from provision.stacks.providers.backup_vault_guard import deployer_patterns

# moto's caller: its default IAM user.
MOTO_CALLER = "arn:aws:iam::123456789012:user/moto"
EXPECTED_STATEMENT = {
    "Sid": "OnlyTheDeployerDeletesRecoveryPoints",
    "Effect": "Deny",
    "Principal": {"AWS": "*"},
    "Action": ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"],
    "Resource": "*",
    "Condition": {"ArnNotLike": {"aws:PrincipalArn": [MOTO_CALLER]}},
}


def _props(**overrides):
    return {"vault_name": "guarded-vault", "kms_key_arn": None, "region": None, "lock_min_retention_days": None,
            "lock_max_retention_days": None, "lock_changeable_for_days": None, "notification_topic_arn": None,
            "notification_events": [], "protect_recovery_points": True, "force_destroy": False, "tags": {},
            **overrides}


@pytest.fixture
def backup(aws, region):
    return boto3.client("backup", region_name=region)


def _policy(backup) -> dict:
    return json.loads(backup.get_backup_vault_access_policy(BackupVaultName="guarded-vault")["Policy"])


def test_create_denies_recovery_point_deletion_to_all_but_the_deployer(backup) -> None:
    BackupVaultProvider().create(_props())
    assert _policy(backup) == {"Version": "2012-10-17", "Statement": [EXPECTED_STATEMENT]}


def test_read_reports_a_removed_policy_and_update_puts_it_back(backup) -> None:
    provider = BackupVaultProvider()
    provider.create(_props())
    assert provider.read("guarded-vault", _props()).outs["protect_recovery_points"] is True
    backup.delete_backup_vault_access_policy(BackupVaultName="guarded-vault")  # an administrator removes it
    assert provider.read("guarded-vault", _props()).outs["protect_recovery_points"] is False
    provider.update("guarded-vault", _props(protect_recovery_points=False), _props())
    assert _policy(backup)["Statement"] == [EXPECTED_STATEMENT]


def test_the_deployer_still_deletes_the_vault(backup) -> None:
    provider = BackupVaultProvider()
    provider.create(_props(force_destroy=True))
    provider.delete("guarded-vault", _props(force_destroy=True))
    assert backup.list_backup_vaults()["BackupVaultList"] == []


@pytest.mark.parametrize(("caller", "patterns"), [
    ("arn:aws:sts::111122223333:assumed-role/deployer/ci-session",
     ["arn:aws:iam::111122223333:role/deployer", "arn:aws:iam::111122223333:role/*/deployer"]),
    ("arn:aws:iam::111122223333:user/ops/alice", ["arn:aws:iam::111122223333:user/ops/alice"]),
    ("arn:aws:iam::111122223333:root", ["arn:aws:iam::111122223333:root"]),
    ("arn:aws:sts::111122223333:federated-user/bob", ["arn:aws:sts::111122223333:federated-user/bob"]),
])
def test_the_exception_names_the_principal_as_aws_evaluates_it(caller: str, patterns: list[str]) -> None:
    # aws:PrincipalArn of a role session is the role's ARN, not the session's.
    assert deployer_patterns(caller) == patterns


def test_the_sandbox_refuses_what_aws_refuses(backup) -> None:
    backup.create_backup_vault(BackupVaultName="plain")
    with pytest.raises(backup.exceptions.InvalidParameterValueException):
        backup.put_backup_vault_access_policy(BackupVaultName="plain", Policy="not json")
    with pytest.raises(backup.exceptions.ResourceNotFoundException):
        backup.get_backup_vault_access_policy(BackupVaultName="plain")
    with pytest.raises(backup.exceptions.ResourceNotFoundException):
        backup.put_backup_vault_access_policy(BackupVaultName="missing", Policy="{}")
