"""AWS Backup jobs: StartBackupJob, DescribeBackupJob, ListBackupJobs, and the nightly run.

moto 5.2.1 runs no backups, so a selection that picks up something AWS
Backup cannot back up looks fine until the first night on AWS. Here a job
does what AWS does for S3: a bucket without versioning fails the job
(State FAILED, with AWS's reason); a versioned one completes and leaves a
recovery point (gaps.backup_recovery_points). Other resource types complete.

- StartBackupJob  PUT /backup-jobs   (vault and role checked as AWS does:
  a missing vault is ResourceNotFoundException, a role Backup cannot assume
  InvalidParameterValueException);
- DescribeBackupJob GET /backup-jobs/{id}; ListBackupJobs GET /backup-jobs/
  (ByState, ByResourceArn, ByBackupVaultName);
- `run_backup_plans(account, region)`: what happens at each plan's scheduled
  time: every selection (Resources, NotResources, ListOfTags and
  Conditions on tags) is resolved against the region's S3 buckets and each
  selected bucket gets a job in the rule's vault. Tests call it in-process.
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any

from moto.backup import urls
from moto.backup.exceptions import InvalidParameterValueException, ResourceNotFoundException
from moto.backup.models import BackupBackend, backup_backends
from moto.backup.responses import BackupResponse
from moto.core.utils import unix_time
from moto.moto_api._internal import mock_random

from provision.stacks.sandbox.access import RoleNotAssumable, assumable_role
from provision.stacks.sandbox.gaps.backup_recovery_points import add_recovery_point

UNVERSIONED = "Backup of S3 bucket {bucket} failed: versioning must be enabled on the bucket."


def _jobs(backend: BackupBackend) -> dict[str, dict[str, Any]]:
    return backend.__dict__.setdefault("gap_backup_jobs", {})


def _bucket(arn: str) -> Any | None:
    from moto.s3.models import s3_backends

    if not arn.startswith("arn:aws:s3:::"):
        return None
    name = arn.removeprefix("arn:aws:s3:::").split("/", 1)[0]
    for backend in s3_backends.values():
        bucket = backend["aws"].buckets.get(name)
        if bucket is not None:
            return bucket
    return None


def start_job(backend: BackupBackend, vault_name: str, resource_arn: str, role_arn: str) -> dict[str, Any]:
    vault = backend.vaults.get(vault_name)
    if vault is None:
        raise ResourceNotFoundException(msg=f"Backup vault {vault_name} not found")
    try:
        assumable_role(role_arn, "backup.amazonaws.com", {"aws:SourceAccount": backend.account_id})
    except RoleNotAssumable:
        raise InvalidParameterValueException(msg=f"IAM Role {role_arn} cannot be assumed by AWS Backup") from None
    job_id = str(mock_random.uuid4()).upper()
    now = unix_time()
    job: dict[str, Any] = {
        "AccountId": backend.account_id,
        "BackupJobId": job_id,
        "BackupVaultName": vault_name,
        "BackupVaultArn": vault.backup_vault_arn,
        "ResourceArn": resource_arn,
        "IamRoleArn": role_arn,
        "CreationDate": now,
        "ResourceType": "S3" if resource_arn.startswith("arn:aws:s3:::") else resource_arn.split(":")[2].upper(),
    }
    bucket = _bucket(resource_arn)
    if job["ResourceType"] == "S3" and (bucket is None or not bucket.is_versioned):
        job.update(State="FAILED", StatusMessage=UNVERSIONED.format(bucket=resource_arn.removeprefix("arn:aws:s3:::")))
    else:
        job.update(State="COMPLETED", CompletionDate=now, PercentDone="100.0",
                   RecoveryPointArn=f"arn:aws:backup:{backend.region_name}:{backend.account_id}:recovery-point:{job_id}")
        add_recovery_point(vault, job["RecoveryPointArn"], resource_arn, job["ResourceType"], role_arn)
    _jobs(backend)[job_id] = job
    return job


def _tags_match(tags: dict[str, str], selection: dict[str, Any]) -> bool:
    any_of = selection.get("ListOfTags") or []
    if any_of and not any(tags.get(c["ConditionKey"]) == c["ConditionValue"] for c in any_of):
        return False
    conditions = selection.get("Conditions") or {}
    key = lambda c: c["ConditionKey"].removeprefix("aws:ResourceTag/")  # noqa: E731
    return (
        all(tags.get(key(c)) == c["ConditionValue"] for c in conditions.get("StringEquals") or [])
        and all(tags.get(key(c)) != c["ConditionValue"] for c in conditions.get("StringNotEquals") or [])
        and all(fnmatch.fnmatchcase(tags.get(key(c), ""), c["ConditionValue"]) for c in conditions.get("StringLike") or [])
    )


def selected_buckets(account: str, selection: dict[str, Any]) -> list[str]:
    """The S3 bucket ARNs a selection picks in `account`, as AWS Backup resolves it."""
    from moto.s3.models import s3_backends

    chosen = []
    for name, bucket in sorted(s3_backends[account]["aws"].buckets.items()):
        arn = f"arn:aws:s3:::{name}"
        if not any(fnmatch.fnmatchcase(arn, p) for p in selection.get("Resources") or ["*"]):
            continue
        if any(fnmatch.fnmatchcase(arn, p) for p in selection.get("NotResources") or []):
            continue
        tags = s3_backends[account]["aws"].get_bucket_tagging(name)["Tags"]
        if _tags_match({t["Key"]: t["Value"] for t in tags}, selection):
            chosen.append(arn)
    return chosen


def run_backup_plans(account: str, region: str) -> list[dict[str, Any]]:
    """Run every live plan's rules once, as the schedule would; returns the jobs made."""
    from provision.stacks.sandbox.gaps.backup import _selections

    backend = backup_backends[account][region]
    made = []
    for plan_id, selections in _selections(backend).items():
        plan = backend.plans.get(plan_id)
        if plan is None or plan.deletion_date is not None:
            continue
        for selection in selections.values():
            for resource in selected_buckets(account, selection.selection):
                for rule in plan.backup_plan.get("Rules", []):
                    made.append(start_job(backend, rule["TargetBackupVaultName"], resource,
                                          selection.selection["IamRoleArn"]))
    return made


def _start_backup_job(self: BackupResponse) -> str:
    params = json.loads(self.body or "{}")
    job = start_job(self.backup_backend, params.get("BackupVaultName"), params.get("ResourceArn"), params.get("IamRoleArn"))
    return json.dumps({key: job[key] for key in ("BackupJobId", "CreationDate", "RecoveryPointArn") if key in job})


def _describe_backup_job(self: BackupResponse) -> str:
    job_id = self.path.rstrip("/").rsplit("/", 1)[1]
    job = _jobs(self.backup_backend).get(job_id)
    if job is None:
        raise ResourceNotFoundException(msg=f"Cannot find backup job {job_id}")
    return json.dumps(job)


def _list_backup_jobs(self: BackupResponse) -> str:
    filters = {"state": "State", "resourceArn": "ResourceArn", "backupVaultName": "BackupVaultName"}
    jobs = [
        job for job in _jobs(self.backup_backend).values()
        if all(self._get_param(p) in (None, job[field]) for p, field in filters.items())
    ]
    return json.dumps({"BackupJobs": jobs})


URL_PATHS = {
    "{0}/backup-jobs/?$": BackupResponse.dispatch,
    "{0}/backup-jobs/(?P<backupJobId>[^/]+)$": BackupResponse.dispatch,
}


def install() -> None:
    """Add the backup-job operations to moto's backup service."""
    urls.url_paths.update(URL_PATHS)
    BackupResponse.start_backup_job = _start_backup_job
    BackupResponse.describe_backup_job = _describe_backup_job
    BackupResponse.list_backup_jobs = _list_backup_jobs
