"""Destroy never deletes data by surprise: it refuses up front and says what would be lost, unless forced.

End to end: an object put in the hosting bucket through boto3 makes destroy
refuse with the bucket and the object count, deleting nothing; with
--force-delete-data everything goes. Unit level: what counts as data at risk,
and the providers' own last-line guard honouring the flag.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from provision.stacks.engine.data_loss import HeldData, data_at_risk, keys_pending_deletion
from provision.stacks.providers.base import FORCE_DELETE_DATA_ENV, ProviderError, refuse_data_loss

PLAN = "rel-data"


@pytest.mark.e2e
def test_destroy_refuses_while_the_site_bucket_holds_data_then_deletes_it_when_forced(
    cli, write_plan, sandbox_client, inventory, state_ids
) -> None:
    plan = write_plan(PLAN)
    assert cli("apply", str(plan), "--yes").exit_code == 0
    site = json.loads(cli("status", str(plan), "--format", "json").stdout)["outputs"]["web"]["bucket_name"]
    s3 = sandbox_client("s3")
    # The bucket's policy refuses plain HTTP, which is all the sandbox speaks: lift it for the upload.
    policy = s3.get_bucket_policy(Bucket=site)["Policy"]
    s3.delete_bucket_policy(Bucket=site)
    s3.put_object(Bucket=site, Key="index.html", Body=b"<h1>only copy</h1>")
    s3.put_bucket_policy(Bucket=site, Policy=policy)

    refused = cli("destroy", str(plan), "--yes")
    assert refused.exit_code == 1, refused.output
    assert refused.output.endswith(
        f"Error: Refusing to destroy {PLAN}/test on target sandbox: it would delete data along with the resources:\n"
        f"  - S3 bucket {site} holds 1 object(s)/version(s)\n"
        f"Nothing was deleted. Back the data up or move it, then run `provision destroy {plan} --force-delete-data` "
        "to delete it with the stack.\n"
    ), refused.output
    deployed = state_ids(plan)
    assert len(deployed) == 13 and inventory(PLAN) == deployed  # nothing half-deleted
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=site)["Contents"]] == ["index.html"]

    forced = cli("destroy", str(plan), "--yes", "--force-delete-data")
    assert forced.exit_code == 0, forced.output
    assert re.search(rf"   - S3 bucket {site} holds 1 object\(s\)/version\(s\)\n", forced.stdout)
    assert f"Destroyed {PLAN}/test on target sandbox: 13 resource(s) deleted, stack removed." in forced.stdout
    assert inventory(PLAN) == []


class Counts:
    """boto3 stand-in answering the two calls the check makes."""

    def __init__(self, objects: dict[str, int], points: dict[str, int]) -> None:
        self.objects, self.points = objects, points

    def __call__(self, service: str, region: str | None = None) -> Any:
        return self

    def get_paginator(self, _name: str):
        counts = self.objects

        class Pages:
            def paginate(self, Bucket: str):
                return [{"Versions": [{}] * counts[Bucket], "DeleteMarkers": []}]

        return Pages()

    def describe_backup_vault(self, BackupVaultName: str) -> dict:
        return {"NumberOfRecoveryPoints": self.points[BackupVaultName]}


def resource(outputs: dict, **extra: Any) -> dict:
    return {"custom": True, "type": "pulumi-python:dynamic:Resource", "outputs": outputs, **extra}


def test_data_at_risk_counts_objects_and_recovery_points_and_skips_what_holds_none_or_goes_anyway() -> None:
    deployment = {
        "resources": [
            resource({"bucket_name": "site", "access_log_bucket": "logs"}),
            resource({"bucket_name": "logs"}),
            resource({"bucket_name": "access-logs", "force_destroy": True}),
            resource({"bucket_name": "empty"}),
            resource({"vault_name": "vault", "region": "eu-west-1"}),
            resource({"bucket_name": "going"}, delete=True),
            {"custom": False, "type": "provision:function:Hosting", "outputs": {"bucket_name": "component"}},
        ]
    }
    client = Counts({"site": 2, "logs": 40, "access-logs": 7, "empty": 0, "going": 5, "component": 9}, {"vault": 3})
    assert data_at_risk(deployment, client) == [
        HeldData("S3 bucket site", 2, "object(s)/version(s)"),
        HeldData("S3 bucket logs", 40, "object(s)/version(s)"),
        HeldData("Backup vault vault", 3, "recovery point(s)"),
    ]
    assert HeldData("Backup vault vault", 3, "recovery point(s)").describe() == "Backup vault vault holds 3 recovery point(s)"


def test_the_providers_guard_yields_only_to_the_destroy_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FORCE_DELETE_DATA_ENV, raising=False)
    with pytest.raises(ProviderError, match=r"^S3 bucket b still holds 2 object\(s\) that would be lost; refusing"):
        refuse_data_loss("S3 bucket b", 2, "object(s)", "Empty it first", force=False)
    refuse_data_loss("S3 bucket b", 2, "object(s)", "Empty it first", force=True)
    monkeypatch.setenv(FORCE_DELETE_DATA_ENV, "1")
    refuse_data_loss("S3 bucket b", 2, "object(s)", "Empty it first", force=False)


def test_a_locked_vault_is_reported_with_the_earliest_date_it_can_go() -> None:
    from datetime import datetime, timezone

    held = HeldData("Backup vault v", 2, "recovery point(s)", datetime(2027, 1, 5, tzinfo=timezone.utc))

    assert held.describe() == (
        "Backup vault v holds 2 recovery point(s), locked: AWS keeps them until 2027-01-05, "
        "the earliest the vault can be deleted"
    )


def test_destroy_names_when_each_kms_key_is_really_deleted(aws_kms) -> None:
    kms = aws_kms
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    deletion = kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=30)["DeletionDate"]
    deployment = {"resources": [resource({"key_id": key_id, "alias": "alias/site", "region": "eu-west-1"})]}

    assert keys_pending_deletion(deployment, lambda service, region=None: kms) == [
        f"KMS key {key_id} (alias/site) is deleted on {deletion:%Y-%m-%d}; until then "
        f"`aws kms cancel-key-deletion --key-id {key_id}` restores it."
    ]


@pytest.fixture
def aws_kms(monkeypatch: pytest.MonkeyPatch):
    import boto3
    from moto import mock_aws

    for var, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "eu-west-1"}.items():
        monkeypatch.setenv(var, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield boto3.client("kms", region_name="eu-west-1")


class LockedVault:
    """boto3 stand-in: a vault locked for 35 days, whose newest recovery point is 5 days old."""

    def __init__(self, newest) -> None:
        self.newest = newest

    def __call__(self, service: str, region: str | None = None) -> Any:
        return self

    def describe_backup_vault(self, BackupVaultName: str) -> dict:
        return {"NumberOfRecoveryPoints": 2, "Locked": True, "MinRetentionDays": 35}

    def get_paginator(self, _name: str):
        from datetime import timedelta

        points = [{"CreationDate": self.newest - timedelta(days=3)}, {"CreationDate": self.newest}]

        class Pages:
            def paginate(self, BackupVaultName: str):
                return [{"RecoveryPoints": points}]

        return Pages()


def test_the_data_check_gives_a_locked_vaults_earliest_deletion_date() -> None:
    from datetime import datetime, timedelta, timezone

    newest = datetime.now(timezone.utc) - timedelta(days=5)
    deployment = {"resources": [resource({"vault_name": "vault", "region": "eu-west-1"})]}

    [held] = data_at_risk(deployment, LockedVault(newest))

    assert (held.count, held.locked_until) == (2, newest + timedelta(days=35))
    assert held.describe().endswith(
        f"locked: AWS keeps them until {newest + timedelta(days=35):%Y-%m-%d}, the earliest the vault can be deleted"
    )
