"""An AWS Backup vault: KMS key, vault lock, event notifications, tags.

With `lock_min_retention_days` set the vault is locked: no recovery point can
be deleted before that age. With `lock_changeable_for_days` as well the lock
is in compliance mode: after that grace period nobody, root included, can
change or remove it. Deleting a vault that still holds recovery points is
refused unless `force_destroy` is set (or `destroy --force-delete-data`), and
the refusal says how many would be lost. A locked vault's points cannot be
deleted before the minimum retention: the refusal gives the earliest date.
Recovery points are deleted asynchronously: delete waits until none is left.
With `protect_recovery_points` a vault access policy denies deleting or
shortening recovery points to everyone but the deployer (backup_vault_guard).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping, Sequence

import pulumi
import pulumi.dynamic
from botocore.exceptions import ClientError

from provision.stacks.providers.base import (
    AwsResourceProvider,
    CreateResult,
    ProviderError,
    ReadResult,
    UpdateResult,
    aws_call,
    aws_failure,
    client,
    error_code,
    is_not_found,
    refuse_data_loss,
    rollback_on_failure,
)
from provision.stacks.providers.backup_vault_guard import guarded, set_guard
from provision.stacks.providers.tag_sync import apply_tag_changes

LOCK_KEYS = ("lock_min_retention_days", "lock_max_retention_days", "lock_changeable_for_days")
# How long delete waits for AWS to finish deleting recovery points (asynchronous), about two minutes.
EMPTY_WAITS = (1, 2, 4) + (8,) * 14


def recovery_points(backup, name: str) -> list[dict[str, Any]]:
    pages = backup.get_paginator("list_recovery_points_by_backup_vault").paginate(BackupVaultName=name)
    return aws_call(
        f"Backup vault {name}: ListRecoveryPointsByBackupVault",
        lambda: [p for page in pages for p in page.get("RecoveryPoints", []) if p.get("Status") != "DELETING"],
    )


def retained_until(backup, name: str, vault: Mapping[str, Any]) -> datetime | None:
    """When a locked vault's last recovery point reaches the lock's minimum retention:
    AWS refuses to delete any point before, so the vault cannot go sooner. None when not locked."""
    days = vault.get("MinRetentionDays") if vault.get("Locked") else None
    if not days:
        return None
    created = [p["CreationDate"] for p in recovery_points(backup, name)]
    return max(created) + timedelta(days=int(days)) if created else None


def sync_backup_tags(backup, what: str, arn: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> None:
    """Take an AWS Backup resource's tags (vault or plan) from `olds` to `news`."""
    apply_tag_changes(
        olds.get("tags"),
        news.get("tags"),
        tag=lambda t: aws_call(f"{what}: TagResource", backup.tag_resource, ResourceArn=arn, Tags=t),
        untag=lambda keys: aws_call(f"{what}: UntagResource", backup.untag_resource, ResourceArn=arn, TagKeyList=keys),
    )


def _changed(olds: Mapping[str, Any], news: Mapping[str, Any], keys: Sequence[str]) -> bool:
    return any(olds.get(k) != news.get(k) for k in keys)


class BackupVaultProvider(AwsResourceProvider):
    REPLACE_ON = frozenset({"vault_name", "kms_key_arn", "region"})
    OUTPUTS = frozenset({"arn"})
    UNIQUE_BY = frozenset({"vault_name", "region"})  # vault names are unique per account and region
    SET_LIKE = frozenset({"notification_events"})
    # What verify and the other providers need to know of this kind (see AwsResourceProvider).
    INVENTORY_MARKER = "vault_name"
    NOT_FOUND = frozenset({"ResourceNotFoundException"})
    EXISTENCE_PROBE = "existence:_vault"
    TAG_READER = ("tags:_arn_map", "backup", "list_tags", "ResourceArn")
    VERIFY_CHECKS = ("backup.vault-key", "backup.vault-lock", "backup.vault-guard", "tags")

    def create(self, props: dict[str, Any]) -> CreateResult:
        backup = client("backup", props.get("region"))
        name = props["vault_name"]
        kwargs: dict[str, Any] = {"BackupVaultName": name, "BackupVaultTags": dict(props.get("tags") or {})}
        if props.get("kms_key_arn"):
            kwargs["EncryptionKeyArn"] = props["kms_key_arn"]
        arn = aws_call(f"Backup vault {name}: CreateBackupVault", backup.create_backup_vault, **kwargs)[
            "BackupVaultArn"
        ]
        with rollback_on_failure(lambda: backup.delete_backup_vault(BackupVaultName=name)):
            self._set_notifications(backup, name, props, {})
            if props.get("protect_recovery_points"):
                set_guard(backup, name, props.get("region"), True)
            # The lock goes last: once it is set, a rollback may no longer delete the vault.
            self._set_lock(backup, name, props, {})
        return CreateResult(name, self.outputs(props, arn=arn))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult | None:
        backup = client("backup", props.get("region"))
        what = f"Backup vault {id_}"
        try:
            vault = backup.describe_backup_vault(BackupVaultName=id_)
        except ClientError as exc:
            if is_not_found(exc):
                return None
            raise ProviderError(f"{what}: DescribeBackupVault: {error_code(exc)}") from exc
        try:
            notifications = backup.get_backup_vault_notifications(BackupVaultName=id_)
        except ClientError as exc:
            # AWS answers ResourceNotFoundException for a vault without notifications.
            if not is_not_found(exc):
                raise ProviderError(f"{what}: GetBackupVaultNotifications: {error_code(exc)}") from exc
            notifications = {}
        tags = aws_call(f"{what}: ListTags", backup.list_tags, ResourceArn=vault["BackupVaultArn"])["Tags"]
        locked = bool(vault.get("Locked"))
        current = {
            **props,
            "vault_name": id_,
            # Without a key of ours AWS uses its default backup key; only ours is ours to report.
            "kms_key_arn": vault.get("EncryptionKeyArn") if props.get("kms_key_arn") else None,
            "lock_min_retention_days": vault.get("MinRetentionDays") if locked else None,
            "lock_max_retention_days": vault.get("MaxRetentionDays") if locked else None,
            # AWS reports only the resulting lock date; a lock without one is not in compliance mode.
            "lock_changeable_for_days": (
                props.get("lock_changeable_for_days") if locked and vault.get("LockDate") else None
            ),
            "notification_topic_arn": notifications.get("SNSTopicArn"),
            "notification_events": sorted(notifications.get("BackupVaultEvents", [])),
            "protect_recovery_points": guarded(backup, id_),
            "tags": tags,
        }
        return ReadResult(id_, self.outputs(current, arn=vault["BackupVaultArn"]))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        backup = client("backup", news.get("region"))
        what = f"Backup vault {id_}"
        arn = aws_call(f"{what}: DescribeBackupVault", backup.describe_backup_vault, BackupVaultName=id_)[
            "BackupVaultArn"
        ]
        self._set_notifications(backup, id_, news, olds)
        if _changed(olds, news, ("protect_recovery_points",)):
            set_guard(backup, id_, news.get("region"), bool(news.get("protect_recovery_points")))
        if _changed(olds, news, LOCK_KEYS):
            self._set_lock(backup, id_, news, olds)
        sync_backup_tags(backup, what, arn, olds, news)
        return UpdateResult(self.outputs(news, arn=arn))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        backup = client("backup", props.get("region"))
        what = f"Backup vault {id_}"
        try:
            vault = backup.describe_backup_vault(BackupVaultName=id_)
        except ClientError as exc:
            if is_not_found(exc):
                return
            raise ProviderError(f"{what}: DescribeBackupVault: {error_code(exc)}") from exc
        held = vault.get("NumberOfRecoveryPoints", 0)
        refuse_data_loss(
            what, held, "recovery point(s)", "Let them expire with the plan's retention", force=props.get("force_destroy")
        )
        until = retained_until(backup, id_, vault) if held else None
        if until is not None and until > datetime.now(timezone.utc):
            raise ProviderError(
                f"{what} is locked with a minimum retention of {vault['MinRetentionDays']} days: AWS refuses to "
                f"delete its {held} recovery point(s) before {until:%Y-%m-%d}, the earliest date the vault can "
                "be deleted. Nothing was deleted; run the destroy again after that date."
            )
        if held:
            self._delete_recovery_points(backup, id_)
            self._wait_until_empty(backup, id_)
        try:
            backup.delete_backup_vault(BackupVaultName=id_)
        except ClientError as exc:
            if not is_not_found(exc):
                raise aws_failure(f"{what}: DeleteBackupVault", exc) from exc

    @staticmethod
    def _wait_until_empty(backup, name: str) -> None:
        """AWS deletes recovery points asynchronously; the vault can go once none is left."""
        for wait in EMPTY_WAITS:
            if not recovery_points(backup, name):
                return
            time.sleep(wait)
        left = len(recovery_points(backup, name))
        if left:
            raise ProviderError(
                f"Backup vault {name}: AWS is still deleting {left} recovery point(s) after about two minutes; "
                "run the destroy again to finish."
            )

    @staticmethod
    def _delete_recovery_points(backup, name: str) -> None:
        for page in backup.get_paginator("list_recovery_points_by_backup_vault").paginate(BackupVaultName=name):
            for point in page.get("RecoveryPoints", []):
                aws_call(
                    f"Backup vault {name}: DeleteRecoveryPoint",
                    backup.delete_recovery_point,
                    BackupVaultName=name,
                    RecoveryPointArn=point["RecoveryPointArn"],
                )

    @staticmethod
    def _set_notifications(backup, name: str, props: Mapping[str, Any], olds: Mapping[str, Any]) -> None:
        what = f"Backup vault {name}"
        if props.get("notification_topic_arn"):
            aws_call(
                f"{what}: PutBackupVaultNotifications",
                backup.put_backup_vault_notifications,
                BackupVaultName=name,
                SNSTopicArn=props["notification_topic_arn"],
                BackupVaultEvents=list(props.get("notification_events") or []),
            )
        elif olds.get("notification_topic_arn"):
            aws_call(
                f"{what}: DeleteBackupVaultNotifications",
                backup.delete_backup_vault_notifications,
                BackupVaultName=name,
            )

    @staticmethod
    def _set_lock(backup, name: str, props: Mapping[str, Any], olds: Mapping[str, Any]) -> None:
        what = f"Backup vault {name}"
        if props.get("lock_min_retention_days"):
            kwargs = {"BackupVaultName": name, "MinRetentionDays": int(props["lock_min_retention_days"])}
            if props.get("lock_max_retention_days"):
                kwargs["MaxRetentionDays"] = int(props["lock_max_retention_days"])
            if props.get("lock_changeable_for_days"):
                kwargs["ChangeableForDays"] = int(props["lock_changeable_for_days"])
            aws_call(f"{what}: PutBackupVaultLockConfiguration", backup.put_backup_vault_lock_configuration, **kwargs)
        elif olds.get("lock_min_retention_days"):
            aws_call(
                f"{what}: DeleteBackupVaultLockConfiguration",
                backup.delete_backup_vault_lock_configuration,
                BackupVaultName=name,
            )


class BackupVault(pulumi.dynamic.Resource, module="aws", name="BackupVault"):
    """A Backup vault; the id is the vault name, `arn` its ARN."""

    arn: pulumi.Output[str]
    vault_name: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        vault_name: pulumi.Input[str],
        kms_key_arn: pulumi.Input[str] | None = None,
        region: str | None = None,
        lock_min_retention_days: int | None = None,
        lock_max_retention_days: int | None = None,
        lock_changeable_for_days: int | None = None,
        notification_topic_arn: pulumi.Input[str] | None = None,
        notification_events: Sequence[str] = (),
        protect_recovery_points: bool = False,
        force_destroy: bool = False,
        tags: Mapping[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "vault_name": vault_name,
            "kms_key_arn": kms_key_arn,
            "region": region,
            "lock_min_retention_days": lock_min_retention_days,
            "lock_max_retention_days": lock_max_retention_days,
            "lock_changeable_for_days": lock_changeable_for_days,
            "notification_topic_arn": notification_topic_arn,
            "notification_events": sorted(notification_events),
            "protect_recovery_points": protect_recovery_points,
            "force_destroy": force_destroy,
            "tags": dict(tags or {}),
            "arn": None,
        }
        super().__init__(BackupVaultProvider(), resource_name, props, opts)
