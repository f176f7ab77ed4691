"""Backup vault checks: the plan's key; a compliance-mode lock for an immutable backup's retention."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from provision.stacks.providers.backup_vault import BackupVaultProvider
from provision.stacks.providers.base import client
from provision.stacks.providers.kms_key import KmsKeyProvider
from provision.stacks.verify.checks import backup

# saas-startup: backups is immutable with retentionDays 35.
RETENTION = 35


@pytest.fixture
def key(deploy):
    return deploy(KmsKeyProvider(), {"description": "b", "enable_key_rotation": True}, name="backups-key", function="backups")


def vault_props(name: str, key_arn: str | None, **lock) -> dict:
    return {"vault_name": name, "kms_key_arn": key_arn, "notification_events": [], "protect_recovery_points": True,
            **lock}


@pytest.fixture
def vault(deploy, key):
    props = vault_props("backups-vault", key.arn, lock_min_retention_days=RETENTION, lock_changeable_for_days=3)
    return deploy(BackupVaultProvider(), props, name="backups-vault", function="backups")


def outcome(results, check, resource, ctx):
    return [(r.check, r.resource, r.passed, r.detail) for r in results(check, resource, ctx)]


def test_a_vault_with_the_plans_key_and_a_compliance_lock_passes(vault, key, verify_ctx, results):
    ctx = verify_ctx(key, vault)
    assert outcome(results, backup.vault_key, vault, ctx) == [
        ("backup.vault-key", vault.arn, True, f"encrypted with the plan's key {key.arn}")
    ]
    [lock] = results(backup.vault_lock, vault, ctx)
    assert (lock.check, lock.resource, lock.passed) == ("backup.vault-lock", vault.arn, True)
    assert lock.detail.startswith("locked in compliance mode (unchangeable from ")
    assert lock.detail.endswith(f"), minimum retention {RETENTION} days")


def test_an_unlocked_vault_of_an_immutable_backup_fails(vault, verify_ctx, results):
    client("backup").delete_backup_vault_lock_configuration(BackupVaultName="backups-vault")
    assert outcome(results, backup.vault_lock, vault, verify_ctx(vault)) == [
        ("backup.vault-lock", vault.arn, False, f"not locked, but backup 'backups' is immutable (retention {RETENTION} days)")
    ]


def test_a_lock_shorter_than_the_retention_fails(vault, verify_ctx, results):
    client("backup").put_backup_vault_lock_configuration(BackupVaultName="backups-vault", MinRetentionDays=7, ChangeableForDays=3)
    assert outcome(results, backup.vault_lock, vault, verify_ctx(vault)) == [
        ("backup.vault-lock", vault.arn, False, f"locked with a minimum retention of 7 days, the plan's retention is {RETENTION} days")
    ]


def test_a_governance_mode_lock_fails(vault, verify_ctx, results):
    backup_client = client("backup")
    backup_client.delete_backup_vault_lock_configuration(BackupVaultName="backups-vault")
    backup_client.put_backup_vault_lock_configuration(BackupVaultName="backups-vault", MinRetentionDays=RETENTION)
    assert outcome(results, backup.vault_lock, vault, verify_ctx(vault)) == [
        ("backup.vault-lock", vault.arn, False,
         f"locked for {RETENTION} days in governance mode only: privileged users can still remove the lock")
    ]  # fmt: skip


def test_the_lock_is_not_required_of_a_backup_that_is_not_immutable(deploy, key, plan, verify_ctx, results):
    plain = deploy(BackupVaultProvider(), vault_props("plain-vault", key.arn), name="backups-vault", function="backups")
    backups = plan.functions["backups"]
    mutable = replace(backups, settings={**backups.settings, "immutable": False})
    assert results(backup.vault_lock, plain, verify_ctx(plain, of=replace(plan, functions={**plan.functions, "backups": mutable}))) == []


def test_a_vault_on_another_key_or_the_default_key_fails(deploy, key, verify_ctx, results):
    other = client("kms").create_key()["KeyMetadata"]["Arn"]
    swapped = deploy(BackupVaultProvider(), vault_props("swapped-vault", other), name="backups-vault", function="backups")
    swapped = replace(swapped, outputs={**swapped.outputs, "kms_key_arn": key.arn})  # the state names the plan's key
    assert outcome(results, backup.vault_key, swapped, verify_ctx(swapped)) == [
        ("backup.vault-key", swapped.arn, False, f"encrypted with {other}, not the plan's key {key.arn}")
    ]
    default = deploy(BackupVaultProvider(), vault_props("default-vault", None), name="backups-copy-vault", function="backups")
    [result] = results(backup.vault_key, default, verify_ctx(default))
    assert (result.resource, result.passed) == (default.arn, False)
    assert result.detail.startswith("the plan gives the vault no key of its own; it uses ")


def test_the_recovery_point_guard_passes_and_its_removal_fails(vault, verify_ctx, results):
    caller = "arn:aws:iam::123456789012:user/moto"  # moto's default user deploys in these tests
    assert outcome(results, backup.vault_guard, vault, verify_ctx(vault)) == [
        ("backup.vault-guard", vault.arn, True, f"recovery points can be deleted only by {caller}")
    ]
    client("backup").delete_backup_vault_access_policy(BackupVaultName="backups-vault")
    assert outcome(results, backup.vault_guard, vault, verify_ctx(vault)) == [
        ("backup.vault-guard", vault.arn, False,
         "no vault access policy: anyone allowed backup:DeleteRecoveryPoint can delete the backups")
    ]
    client("backup").put_backup_vault_access_policy(BackupVaultName="backups-vault", Policy=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "backup:*",
                                                 "Resource": "*"}]}))
    assert outcome(results, backup.vault_guard, vault, verify_ctx(vault)) == [
        ("backup.vault-guard", vault.arn, False, "the vault access policy does not deny "
         "backup:DeleteRecoveryPoint and backup:UpdateRecoveryPointLifecycle to every other principal")
    ]
