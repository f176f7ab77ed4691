"""The backup function: AWS Backup for the functions it `protects`.

- a KMS key (rotated) encrypts the vault and its event topic;
- the vault is locked when `immutable`: in compliance mode, no recovery point
  can be deleted before `retentionDays`, and after COMPLIANCE_GRACE_DAYS not
  even the account root can lift the lock;
- with `copyToRegion`, a second vault (same lock) with its own key in that
  region receives a copy of every recovery point;
- the plan backs up often enough to meet `rpoHours` and keeps recovery
  points (and copies) `retentionDays`;
- a service role trusted only by AWS Backup acting for this account
  (aws:SourceAccount, against the confused deputy) runs the jobs;
- one selection per protected function picks its data resources by the
  provision:plan, provision:function and provision:environment tags and the
  provision:backup tag only data resources carry (AWS Backup for S3 needs
  versioning: an unversioned log bucket would fail every night's job);
- vault events (job results, changed recovery points) go to an SNS topic
  the plan owner subscribes to;
- each vault's access policy denies deleting or shortening recovery points to
  every principal but the deployer, so neither vendors nor other
  administrators can remove backups, lock or no lock.

Vaults refuse deletion while they hold recovery points, on every target,
unless `provision destroy --force-delete-data`.
"""

from __future__ import annotations

from typing import Any

from provision.schemas import function_types
from provision.stacks.functions.base import (
    BACKUP_DATA,
    TAG_BACKUP,
    TAG_ENVIRONMENT,
    TAG_FUNCTION,
    TAG_PLAN,
    FunctionComponent,
    FunctionContext,
)
from provision.stacks.providers.backup_plan import BackupPlan, rule_for_rpo
from provision.stacks.providers.backup_selection import BackupSelection
from provision.stacks.providers.backup_vault import BackupVault
from provision.stacks.functions.service_roles import service_trust_policy
from provision.stacks.providers.iam_role import IamRole
from provision.stacks.providers.kms_key import KmsKey, key_policy
from provision.stacks.providers.sns_topic import SnsTopic

BACKUP_SERVICE = "backup.amazonaws.com"
# AWS managed policies, in the plan's partition.
BACKUP_POLICY = "arn:{partition}:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
S3_BACKUP_POLICY = "arn:{partition}:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup"
# Job outcomes (a completed job may have failed), copy failures and tampering.
VAULT_EVENTS = (
    "BACKUP_JOB_COMPLETED",
    "RESTORE_JOB_COMPLETED",
    "COPY_JOB_FAILED",
    "RECOVERY_POINT_MODIFIED",
    "S3_BACKUP_OBJECT_FAILED",
    "S3_RESTORE_OBJECT_FAILED",
)
# AWS's minimum cooling-off period before a compliance-mode lock is final.
COMPLIANCE_GRACE_DAYS = 3


def _key(ctx: FunctionContext, name: str, suffix: str, region: str, description: str, opts) -> KmsKey:
    """A rotated key that AWS Backup (and the vault's event topic) may use."""
    return KmsKey(
        f"{ctx.function.name}-{name}",
        description=description,
        key_policy=key_policy(ctx.account_id, [BACKUP_SERVICE], partition=ctx.partition),
        alias=f"alias/{ctx.physical_name(suffix, kind='kms-alias')}",
        region=region,
        tags=ctx.tags(),
        opts=opts,
    )


def _vault(
    ctx: FunctionContext, name: str, suffix: str, key: KmsKey, region: str, lock: dict[str, Any], opts, **extra: Any
) -> BackupVault:
    return BackupVault(
        f"{ctx.function.name}-{name}",
        vault_name=ctx.physical_name(suffix, kind="backup-vault"),
        kms_key_arn=key.arn,
        region=region,
        protect_recovery_points=True,
        tags=ctx.tags(),
        opts=opts,
        **lock,
        **extra,
    )


def build(ctx: FunctionContext) -> FunctionComponent:
    settings = ctx.function.settings
    protects = list(settings["protects"])
    rpo_hours, retention = int(settings["rpoHours"]), int(settings["retentionDays"])
    copy_region = settings.get("copyToRegion")
    fn, region, tags = ctx.function.name, ctx.region, ctx.tags()
    lock: dict[str, Any] = (
        {"lock_min_retention_days": retention, "lock_changeable_for_days": COMPLIANCE_GRACE_DAYS}
        if settings.get("immutable", False)
        else {}
    )

    component = FunctionComponent(ctx.function)
    opts = ctx.resource_opts(component)
    outputs: dict[str, Any] = {}

    key = _key(ctx, "key", "backup", region, f"Backups of {ctx.plan.name}/{fn}", opts)
    topic = SnsTopic(
        f"{fn}-events",
        name=ctx.physical_name("backup-events", kind="sns-topic"),
        kms_master_key_id=key.arn,
        publisher_services=[BACKUP_SERVICE],
        email_subscriptions=[ctx.plan.owner],
        tags=tags,
        opts=opts,
    )
    vault = _vault(
        ctx,
        "vault",
        "vault",
        key,
        region,
        lock,
        opts,
        notification_topic_arn=topic.arn,
        notification_events=VAULT_EVENTS,
    )
    copy_vault_arn = None
    if copy_region:
        description = f"Backup copies of {ctx.plan.name}/{fn} in {copy_region}"
        copy_key = _key(ctx, "copy-key", "backup-copy", copy_region, description, opts)
        copy_vault = _vault(ctx, "copy-vault", "vault-copy", copy_key, copy_region, lock, opts)
        copy_vault_arn = outputs["copy_vault_arn"] = copy_vault.arn

    plan = BackupPlan(
        f"{fn}-plan",
        plan_name=ctx.physical_name("plan", kind="backup-plan"),
        rules=[
            rule_for_rpo(
                f"rpo-{rpo_hours}h",
                vault.vault_name,
                rpo_hours=rpo_hours,
                retention_days=retention,
                copy_to_vault_arn=copy_vault_arn,
            )
        ],
        region=region,
        tags=tags,
        opts=opts,
    )
    # Data in S3 (a fact of the protected function's type) needs AWS Backup's S3 rights.
    s3_data = any(function_types.get(ctx.plan.functions[name].type).data_in_s3 for name in protects)
    role = IamRole(
        f"{fn}-role",
        role_name=ctx.physical_name("backup", kind="iam-role"),
        assume_role_policy=service_trust_policy(BACKUP_SERVICE, ctx.account_id),
        description=f"AWS Backup runs the jobs of {ctx.plan.name}/{fn}",
        managed_policy_arns=[
            arn.format(partition=ctx.partition)
            for arn in [BACKUP_POLICY] + ([S3_BACKUP_POLICY] if s3_data else [])
        ],
        tags=tags,
        opts=opts,
    )
    for name in protects:
        BackupSelection(
            f"{fn}-protect-{name}",
            plan_id=plan.plan_id,
            selection_name=f"protect-{name}",
            iam_role_arn=role.arn,
            match_all_tags={
                TAG_PLAN: ctx.plan.name,
                TAG_FUNCTION: name,
                TAG_ENVIRONMENT: ctx.plan.environment,
                TAG_BACKUP: BACKUP_DATA,
            },
            region=region,
            opts=opts,
        )

    return component.finish(
        vault_name=vault.vault_name,
        vault_arn=vault.arn,
        plan_id=plan.plan_id,
        plan_arn=plan.arn,
        backup_role_arn=role.arn,
        kms_key_arn=key.arn,
        notification_topic_arn=topic.arn,
        **outputs,
    )
