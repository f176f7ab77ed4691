"""Vault lock: grace time and minimum retention, recovery points deleted asynchronously, as on AWS."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.backup.models import backup_backends

from provision.stacks.sandbox import gaps

REGION = "eu-west-1"
ACCOUNT = "123456789012"
DAY = 24 * 60 * 60


@pytest.fixture
def aws(gap_env, service_role):
    gaps.install()
    with mock_aws():
        make = lambda service: boto3.client(service, region_name=REGION)  # noqa: E731
        role = service_role(make("iam"), "backup", "backup.amazonaws.com")
        s3 = make("s3")
        s3.create_bucket(Bucket="data", CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_versioning(Bucket="data", VersioningConfiguration={"Status": "Enabled"})
        backup = make("backup")
        backup.create_backup_vault(BackupVaultName="vault")
        point = backup.start_backup_job(BackupVaultName="vault", ResourceArn="arn:aws:s3:::data", IamRoleArn=role)[
            "RecoveryPointArn"
        ]
        yield backup, point


def _age(point: str, days: float) -> None:
    vault = backup_backends[ACCOUNT][REGION].vaults["vault"]
    vault.__dict__["gap_recovery_points"][point]["CreationDate"] -= days * DAY


def _error(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return exc.value.response["Error"]["Code"]


def test_lock_rules_moto_enforces_grace_and_minimum(aws) -> None:
    backup, _ = aws
    with pytest.raises(ClientError) as short_grace:
        backup.put_backup_vault_lock_configuration(BackupVaultName="vault", MinRetentionDays=7, ChangeableForDays=2)
    with pytest.raises(ClientError) as no_retention:
        backup.put_backup_vault_lock_configuration(BackupVaultName="vault", MinRetentionDays=0, ChangeableForDays=3)
    assert _error(short_grace) == _error(no_retention) == "InvalidParameterValueException"


def test_after_the_grace_time_the_lock_is_immutable(aws) -> None:
    backup, _ = aws
    backup.put_backup_vault_lock_configuration(BackupVaultName="vault", MinRetentionDays=7, ChangeableForDays=3)
    backup_backends[ACCOUNT][REGION].vaults["vault"].lock_date -= 4 * DAY

    with pytest.raises(ClientError) as change:
        backup.put_backup_vault_lock_configuration(BackupVaultName="vault", MinRetentionDays=1, ChangeableForDays=3)
    with pytest.raises(ClientError) as remove:
        backup.delete_backup_vault_lock_configuration(BackupVaultName="vault")

    assert _error(change) == _error(remove) == "InvalidRequestException"


def test_minimum_retention_protects_recovery_points(aws) -> None:
    backup, point = aws
    backup.put_backup_vault_lock_configuration(BackupVaultName="vault", MinRetentionDays=7, ChangeableForDays=3)
    _age(point, 6)

    with pytest.raises(ClientError) as young:
        backup.delete_recovery_point(BackupVaultName="vault", RecoveryPointArn=point)
    _age(point, 1.01)
    backup.delete_recovery_point(BackupVaultName="vault", RecoveryPointArn=point)

    assert _error(young) == "InvalidRequestException"


def test_deletion_is_asynchronous_and_a_vault_with_points_stays(aws) -> None:
    backup, point = aws
    listing = lambda: [(p["RecoveryPointArn"], p["Status"]) for p in  # noqa: E731
                       backup.list_recovery_points_by_backup_vault(BackupVaultName="vault")["RecoveryPoints"]]
    assert listing() == [(point, "COMPLETED")]
    with pytest.raises(ClientError) as not_empty:
        backup.delete_backup_vault(BackupVaultName="vault")

    backup.delete_recovery_point(BackupVaultName="vault", RecoveryPointArn=point)

    assert listing() == [(point, "DELETING")]
    assert listing() == []
    backup.delete_backup_vault(BackupVaultName="vault")
    assert _error(not_empty) == "InvalidRequestException"
