"""BackupVaultProvider against moto (with the notification gap fill): lifecycle, lock, drift, errors."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import boto3
import pytest
from botocore.stub import Stubber
from moto.backup.models import backup_backends

from provision.stacks.providers.base import ProviderError
from provision.stacks.providers.backup_vault import BackupVaultProvider

TOPIC = "arn:aws:sns:eu-west-1:123456789012:backup-events"
EVENTS = ["BACKUP_JOB_FAILED", "COPY_JOB_FAILED"]


def _props(**overrides):
    props = {
        "vault_name": "acme-vault",
        "kms_key_arn": None,
        "region": None,
        "lock_min_retention_days": 35,
        "lock_max_retention_days": None,
        "lock_changeable_for_days": 3,
        "notification_topic_arn": TOPIC,
        "notification_events": EVENTS,
        "protect_recovery_points": False,
        "force_destroy": False,
        "tags": {"provision:plan": "acme"},
    }
    return {**props, **overrides}


@pytest.fixture
def backup(aws, region):
    return boto3.client("backup", region_name=region)


@pytest.fixture
def key_arn(aws, region) -> str:
    return boto3.client("kms", region_name=region).create_key()["KeyMetadata"]["Arn"]


def test_create_sets_key_lock_notifications_and_tags(backup, key_arn, region, account_id) -> None:
    result = BackupVaultProvider().create(_props(kms_key_arn=key_arn))

    arn = f"arn:aws:backup:{region}:{account_id}:backup-vault:acme-vault"
    assert (result.id, result.outs["arn"]) == ("acme-vault", arn)
    vault = backup.describe_backup_vault(BackupVaultName="acme-vault")
    assert vault["EncryptionKeyArn"] == key_arn
    assert (vault["Locked"], vault["MinRetentionDays"]) == (True, 35)
    assert "LockDate" in vault
    notifications = backup.get_backup_vault_notifications(BackupVaultName="acme-vault")
    assert (notifications["SNSTopicArn"], notifications["BackupVaultEvents"]) == (TOPIC, EVENTS)
    assert backup.list_tags(ResourceArn=arn)["Tags"] == {"provision:plan": "acme"}


def test_create_in_another_region(aws) -> None:
    result = BackupVaultProvider().create(
        _props(region="eu-central-1", notification_topic_arn=None, notification_events=[])
    )

    assert result.outs["arn"].startswith("arn:aws:backup:eu-central-1:")
    assert boto3.client("backup", region_name="eu-central-1").describe_backup_vault(BackupVaultName="acme-vault")


def test_unlocked_vault_without_notifications(backup) -> None:
    props = _props(
        lock_min_retention_days=None, lock_changeable_for_days=None, notification_topic_arn=None, notification_events=[]
    )

    result = BackupVaultProvider().create(props)

    assert backup.describe_backup_vault(BackupVaultName="acme-vault")["Locked"] is False
    assert BackupVaultProvider().read("acme-vault", result.outs).outs == result.outs


def test_read_matches_create_and_reflects_drift(backup, key_arn) -> None:
    provider = BackupVaultProvider()
    created = provider.create(_props(kms_key_arn=key_arn, lock_changeable_for_days=None))
    assert provider.read("acme-vault", created.outs).outs == created.outs

    backup.delete_backup_vault_lock_configuration(BackupVaultName="acme-vault")
    backup.delete_backup_vault_notifications(BackupVaultName="acme-vault")
    backup.tag_resource(ResourceArn=created.outs["arn"], Tags={"extra": "1"})
    outs = provider.read("acme-vault", created.outs).outs

    assert outs["lock_min_retention_days"] is None
    assert outs["notification_topic_arn"] is None and outs["notification_events"] == []
    assert outs["tags"] == {"provision:plan": "acme", "extra": "1"}
    assert outs["kms_key_arn"] == key_arn


def test_read_returns_none_when_gone(backup) -> None:
    assert BackupVaultProvider().read("acme-vault", _props()) is None


@pytest.mark.parametrize(
    ("change", "replaces"),
    [
        ({"vault_name": "other"}, ["vault_name"]),
        ({"kms_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/other"}, ["kms_key_arn"]),
        ({"region": "eu-central-1"}, ["region"]),
        ({"lock_min_retention_days": 7}, []),
        ({"notification_events": ["BACKUP_JOB_FAILED"]}, []),
        ({"tags": {}}, []),
    ],
)
def test_diff_replaces_for_name_key_and_region(change, replaces) -> None:
    olds = {**_props(), "arn": "arn:aws:backup:eu-west-1:123456789012:backup-vault:acme-vault"}

    diff = BackupVaultProvider().diff("acme-vault", olds, _props(**change))

    assert diff.changes is True
    assert diff.replaces == replaces
    # Only a new key keeps the vault's name in its region: then the old vault goes first.
    assert diff.delete_before_replace is (replaces == ["kms_key_arn"])


def test_update_changes_lock_notifications_and_tags(backup) -> None:
    provider = BackupVaultProvider()
    olds = provider.create(_props(lock_changeable_for_days=None)).outs
    news = _props(
        lock_min_retention_days=7,
        lock_max_retention_days=90,
        lock_changeable_for_days=None,
        notification_events=["BACKUP_JOB_FAILED"],
        tags={"team": "ops"},
    )

    result = provider.update("acme-vault", olds, news)

    vault = backup.describe_backup_vault(BackupVaultName="acme-vault")
    assert (vault["MinRetentionDays"], vault["MaxRetentionDays"]) == (7, 90)
    assert backup.get_backup_vault_notifications(BackupVaultName="acme-vault")["BackupVaultEvents"] == [
        "BACKUP_JOB_FAILED"
    ]
    assert backup.list_tags(ResourceArn=olds["arn"])["Tags"] == {"team": "ops"}
    assert provider.read("acme-vault", result.outs).outs == result.outs


def test_update_removing_lock_and_notifications(backup) -> None:
    provider = BackupVaultProvider()
    olds = provider.create(_props(lock_changeable_for_days=None)).outs

    provider.update(
        "acme-vault",
        olds,
        _props(
            lock_min_retention_days=None,
            lock_changeable_for_days=None,
            notification_topic_arn=None,
            notification_events=[],
        ),
    )

    assert backup.describe_backup_vault(BackupVaultName="acme-vault")["Locked"] is False
    with pytest.raises(backup.exceptions.ResourceNotFoundException):
        backup.get_backup_vault_notifications(BackupVaultName="acme-vault")


def test_a_compliance_lock_past_its_grace_period_cannot_change(backup, region, account_id) -> None:
    provider = BackupVaultProvider()
    olds = provider.create(_props()).outs
    backup_backends[account_id][region].vaults["acme-vault"].lock_date = 0  # grace period over

    with pytest.raises(
        ProviderError, match=r"^Backup vault acme-vault: PutBackupVaultLockConfiguration: InvalidRequestException: "
    ):
        provider.update("acme-vault", olds, _props(lock_min_retention_days=1))


def test_delete_and_delete_when_gone(backup) -> None:
    provider = BackupVaultProvider()
    provider.create(_props())

    provider.delete("acme-vault", _props())
    provider.delete("acme-vault", _props())

    assert provider.read("acme-vault", _props()) is None


def test_delete_refuses_to_lose_recovery_points(backup, region, account_id) -> None:
    provider = BackupVaultProvider()
    provider.create(_props())
    backup_backends[account_id][region].vaults["acme-vault"].number_of_recovery_points = 3

    with pytest.raises(ProviderError) as refused:
        provider.delete("acme-vault", _props())

    assert str(refused.value) == (
        "Backup vault acme-vault still holds 3 recovery point(s) that would be lost; "
        "refusing to delete it. Let them expire with the plan's retention, "
        "or delete them with it: `provision destroy --force-delete-data`."
    )
    assert provider.read("acme-vault", _props()) is not None


def test_name_clash_is_reported(backup) -> None:
    backup.create_backup_vault(BackupVaultName="acme-vault")

    with pytest.raises(ProviderError, match=r"^Backup vault acme-vault: CreateBackupVault: AlreadyExistsException: "):
        BackupVaultProvider().create(_props())


def test_bad_notification_event_is_reported_and_the_vault_rolled_back(backup) -> None:
    with pytest.raises(
        ProviderError, match=r"^Backup vault acme-vault: PutBackupVaultNotifications: InvalidParameterValueException: "
    ):
        BackupVaultProvider().create(_props(notification_events=["NOT_AN_EVENT"]))

    assert BackupVaultProvider().read("acme-vault", _props()) is None


VAULT_ARN = "arn:aws:backup:eu-west-1:123456789012:backup-vault:acme-vault"


def _point(n: int, created: datetime, status: str = "COMPLETED") -> dict:
    return {
        "RecoveryPointArn": f"arn:aws:backup:eu-west-1:123456789012:recovery-point:p-{n}",
        "BackupVaultName": "acme-vault",
        "CreationDate": created,
        "Status": status,
    }


@pytest.fixture
def stubbed(aws, monkeypatch: pytest.MonkeyPatch):
    """A Stubber on the client the provider uses (moto keeps no recovery points), and the waits made."""
    from provision.stacks.providers import backup_vault as module

    backup = boto3.client("backup", region_name="eu-west-1")
    monkeypatch.setattr(module, "client", lambda service, region=None: backup)
    waits: list[float] = []
    monkeypatch.setattr(module.time, "sleep", waits.append)
    with Stubber(backup) as stubber:
        yield stubber, waits
        stubber.assert_no_pending_responses()


def test_a_locked_vault_says_the_earliest_date_it_can_be_deleted_and_deletes_nothing(stubbed) -> None:
    stubber, _ = stubbed
    newest = datetime.now(timezone.utc) - timedelta(days=5)
    stubber.add_response(
        "describe_backup_vault",
        {"BackupVaultName": "acme-vault", "BackupVaultArn": VAULT_ARN, "NumberOfRecoveryPoints": 2,
         "Locked": True, "MinRetentionDays": 35},
        {"BackupVaultName": "acme-vault"},
    )
    stubber.add_response(
        "list_recovery_points_by_backup_vault",
        {"RecoveryPoints": [_point(1, newest - timedelta(days=1)), _point(2, newest)]},
        {"BackupVaultName": "acme-vault"},
    )

    with pytest.raises(ProviderError) as refused:
        BackupVaultProvider().delete("acme-vault", _props(force_destroy=True))

    earliest = (newest + timedelta(days=35)).strftime("%Y-%m-%d")
    assert str(refused.value) == (
        "Backup vault acme-vault is locked with a minimum retention of 35 days: AWS refuses to delete its 2 "
        f"recovery point(s) before {earliest}, the earliest date the vault can be deleted. Nothing was deleted; "
        "run the destroy again after that date."
    )


def test_a_forced_delete_waits_until_aws_has_deleted_the_recovery_points(stubbed) -> None:
    stubber, waits = stubbed
    point = _point(1, datetime(2026, 1, 1, tzinfo=timezone.utc))
    vault = {"BackupVaultName": "acme-vault"}
    stubber.add_response(
        "describe_backup_vault",
        {"BackupVaultName": "acme-vault", "BackupVaultArn": VAULT_ARN, "NumberOfRecoveryPoints": 1, "Locked": False},
        vault,
    )
    stubber.add_response("list_recovery_points_by_backup_vault", {"RecoveryPoints": [point]}, vault)
    stubber.add_response(
        "delete_recovery_point", {}, {**vault, "RecoveryPointArn": point["RecoveryPointArn"]}
    )
    # Deletion is asynchronous: the point is still listed once, then gone.
    stubber.add_response("list_recovery_points_by_backup_vault", {"RecoveryPoints": [point]}, vault)
    stubber.add_response("list_recovery_points_by_backup_vault", {"RecoveryPoints": []}, vault)
    stubber.add_response("delete_backup_vault", {}, vault)

    BackupVaultProvider().delete("acme-vault", _props(force_destroy=True))

    assert waits == [1]
