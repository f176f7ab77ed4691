"""Backup jobs: an S3 bucket without versioning fails its backup, as it does every night on AWS."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from provision.stacks.sandbox import gaps
from provision.stacks.sandbox.gaps.backup_jobs import run_backup_plans

REGION = "eu-west-1"
ACCOUNT = "123456789012"


@pytest.fixture
def aws(gap_env, service_role):
    gaps.install()
    with mock_aws():
        make = lambda service: boto3.client(service, region_name=REGION)  # noqa: E731
        role = service_role(make("iam"), "backup", "backup.amazonaws.com")
        make("backup").create_backup_vault(BackupVaultName="vault")
        s3 = make("s3")
        for name, versioned, tags in (("data", True, {"backup": "yes"}), ("access-logs", False, {"backup": "yes"}),
                                      ("other", False, {})):
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
            if versioned:
                s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
            if tags:
                s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]})
        yield make("backup"), role


def test_on_demand_job_of_an_unversioned_bucket_fails(aws) -> None:
    backup, role = aws

    failed = backup.start_backup_job(BackupVaultName="vault", ResourceArn="arn:aws:s3:::access-logs", IamRoleArn=role)
    done = backup.start_backup_job(BackupVaultName="vault", ResourceArn="arn:aws:s3:::data", IamRoleArn=role)

    failed_job = backup.describe_backup_job(BackupJobId=failed["BackupJobId"])
    assert (failed_job["State"], failed_job["ResourceType"]) == ("FAILED", "S3")
    assert "versioning" in failed_job["StatusMessage"]
    assert backup.describe_backup_job(BackupJobId=done["BackupJobId"])["State"] == "COMPLETED"
    assert [j["ResourceArn"] for j in backup.list_backup_jobs(ByState="FAILED")["BackupJobs"]] == ["arn:aws:s3:::access-logs"]


def test_the_nightly_run_backs_up_what_the_selection_picks(aws) -> None:
    backup, role = aws
    plan = backup.create_backup_plan(BackupPlan={"BackupPlanName": "nightly", "Rules": [
        {"RuleName": "nightly", "TargetBackupVaultName": "vault"}]})["BackupPlanId"]
    backup.create_backup_selection(BackupPlanId=plan, BackupSelection={
        "SelectionName": "tagged", "IamRoleArn": role, "Resources": ["*"],
        "Conditions": {"StringEquals": [{"ConditionKey": "aws:ResourceTag/backup", "ConditionValue": "yes"}]}})

    run_backup_plans(ACCOUNT, REGION)

    jobs = {j["ResourceArn"]: j["State"] for j in backup.list_backup_jobs()["BackupJobs"]}
    assert jobs == {"arn:aws:s3:::data": "COMPLETED", "arn:aws:s3:::access-logs": "FAILED"}


def test_start_job_checks_vault_and_role(aws, service_role) -> None:
    backup, role = aws
    with pytest.raises(ClientError) as no_vault:
        backup.start_backup_job(BackupVaultName="missing", ResourceArn="arn:aws:s3:::data", IamRoleArn=role)
    with pytest.raises(ClientError) as bad_role:
        backup.start_backup_job(BackupVaultName="vault", ResourceArn="arn:aws:s3:::data",
                                IamRoleArn=f"arn:aws:iam::{ACCOUNT}:role/missing")
    assert no_vault.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert bad_role.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert backup.list_backup_jobs()["BackupJobs"] == []
