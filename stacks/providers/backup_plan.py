"""An AWS Backup plan: its rules (schedule, retention, cross-region copy) and tags.

Rules are plain dicts (see `BackupRule`); `rule_for_rpo` derives one from a
recovery point objective and a retention period, which is how plans are
written from an outsourcing plan's `rpoHours` and `retentionDays`.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence, TypedDict

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
)
from provision.stacks.providers.backup_vault import sync_backup_tags

# Backup intervals cron can express evenly: hours dividing a day, then days.
INTERVALS_HOURS = (1, 2, 3, 4, 6, 8, 12, 24, 48, 72, 96, 120, 144, 168)
# Scheduled backups start at this UTC hour (daily and longer intervals).
START_HOUR_UTC = 5


class BackupRule(TypedDict, total=False):
    rule_name: str
    target_vault_name: str
    schedule: str  # an AWS Backup cron() expression, UTC
    start_window_minutes: int
    completion_window_minutes: int
    delete_after_days: int
    copy_to_vault_arn: str  # a vault in another region (or account); absent for no copy


def interval_for_rpo(rpo_hours: int) -> int:
    """The longest even backup interval that still meets the RPO."""
    if rpo_hours < 1:
        raise ValueError(f"an RPO of {rpo_hours} hours is below AWS Backup's hourly minimum")
    return max(h for h in INTERVALS_HOURS if h <= rpo_hours)


def schedule_for_rpo(rpo_hours: int) -> str:
    """A cron expression that backs up at least every `rpo_hours` hours.

    1 -> hourly, 12 -> every 12 h, 24 -> daily, 48 -> every other day,
    168 -> weekly; values between steps round down (36 -> daily).
    """
    hours = interval_for_rpo(rpo_hours)
    if hours < 24:
        return f"cron(0 {'*' if hours == 1 else f'*/{hours}'} ? * * *)"
    if hours == 24:
        return f"cron(0 {START_HOUR_UTC} ? * * *)"
    if hours == 168:
        return f"cron(0 {START_HOUR_UTC} ? * SUN *)"
    return f"cron(0 {START_HOUR_UTC} */{hours // 24} * ? *)"


def rule_for_rpo(
    name: str, vault_name: str, *, rpo_hours: int, retention_days: int, copy_to_vault_arn: str | None = None
) -> BackupRule:
    """A rule meeting the RPO: it starts within the hour and must finish before the next one is due."""
    interval = interval_for_rpo(rpo_hours)
    rule = BackupRule(
        rule_name=name,
        target_vault_name=vault_name,
        schedule=schedule_for_rpo(rpo_hours),
        start_window_minutes=60,
        # AWS wants the completion window at least an hour past the start window.
        completion_window_minutes=max(120, interval * 60),
        delete_after_days=retention_days,
    )
    if copy_to_vault_arn is not None:
        rule["copy_to_vault_arn"] = copy_to_vault_arn
    return rule


def _to_aws(rule: Mapping[str, Any]) -> dict[str, Any]:
    aws: dict[str, Any] = {
        "RuleName": rule["rule_name"],
        "TargetBackupVaultName": rule["target_vault_name"],
        "ScheduleExpression": rule["schedule"],
        "StartWindowMinutes": int(rule.get("start_window_minutes") or 60),
        "CompletionWindowMinutes": int(rule.get("completion_window_minutes") or 10080),
        "Lifecycle": {"DeleteAfterDays": int(rule["delete_after_days"])},
    }
    if rule.get("copy_to_vault_arn"):
        # Copies keep the same retention as the originals.
        aws["CopyActions"] = [
            {
                "DestinationBackupVaultArn": rule["copy_to_vault_arn"],
                "Lifecycle": {"DeleteAfterDays": int(rule["delete_after_days"])},
            }
        ]
    return aws


def _from_aws(aws: Mapping[str, Any]) -> dict[str, Any]:
    copies = aws.get("CopyActions") or []
    rule = {
        "rule_name": aws["RuleName"],
        "target_vault_name": aws["TargetBackupVaultName"],
        "schedule": aws.get("ScheduleExpression"),
        "start_window_minutes": aws.get("StartWindowMinutes"),
        "completion_window_minutes": aws.get("CompletionWindowMinutes"),
        "delete_after_days": (aws.get("Lifecycle") or {}).get("DeleteAfterDays"),
        "copy_to_vault_arn": copies[0]["DestinationBackupVaultArn"] if copies else None,
    }
    # Absent, not None, like the rules the program writes, so equal rules compare equal.
    return {k: v for k, v in rule.items() if v is not None}


def _document(props: Mapping[str, Any]) -> dict[str, Any]:
    return {"BackupPlanName": props["plan_name"], "Rules": [_to_aws(r) for r in props.get("rules") or []]}


class BackupPlanProvider(AwsResourceProvider):
    REPLACE_ON = frozenset({"region"})
    OUTPUTS = frozenset({"arn", "plan_id", "version_id"})
    UNIQUE_BY = frozenset({"plan_name", "region"})
    # What verify and the other providers need to know of this kind (see AwsResourceProvider).
    INVENTORY_MARKER = "plan_name"
    NOT_FOUND = frozenset({"ResourceNotFoundException"})
    EXISTENCE_PROBE = "existence:_backup_plan"
    TAG_READER = ("tags:_arn_map", "backup", "list_tags", "ResourceArn")
    VERIFY_CHECKS = ("backup.plan-schedule", "backup.plan-retention", "backup.plan-copy", "tags")

    def create(self, props: dict[str, Any]) -> CreateResult:
        backup = client("backup", props.get("region"))
        created = aws_call(
            f"Backup plan {props['plan_name']}: CreateBackupPlan",
            backup.create_backup_plan,
            BackupPlan=_document(props),
            BackupPlanTags=dict(props.get("tags") or {}),
        )
        plan_id = created["BackupPlanId"]
        return CreateResult(plan_id, self._outputs(props, created))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult | None:
        backup = client("backup", props.get("region"))
        try:
            plan = backup.get_backup_plan(BackupPlanId=id_)
        except ClientError as exc:
            if is_not_found(exc):
                return None
            raise ProviderError(f"Backup plan {id_}: GetBackupPlan: {error_code(exc)}") from exc
        if plan.get("DeletionDate"):
            return None
        tags = aws_call(f"Backup plan {id_}: ListTags", backup.list_tags, ResourceArn=plan["BackupPlanArn"])["Tags"]
        current = {
            **props,
            "plan_name": plan["BackupPlan"]["BackupPlanName"],
            "rules": [_from_aws(r) for r in plan["BackupPlan"]["Rules"]],
            "tags": tags,
        }
        return ReadResult(id_, self._outputs(current, plan))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        backup = client("backup", news.get("region"))
        what = f"Backup plan {id_}"
        updated = aws_call(
            f"{what}: UpdateBackupPlan", backup.update_backup_plan, BackupPlanId=id_, BackupPlan=_document(news)
        )
        sync_backup_tags(backup, what, updated["BackupPlanArn"], olds, news)
        return UpdateResult(self._outputs(news, {**updated, "BackupPlanId": id_}))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        backup = client("backup", props.get("region"))
        try:
            backup.delete_backup_plan(BackupPlanId=id_)
        except ClientError as exc:
            if not is_not_found(exc):
                raise aws_failure(f"Backup plan {id_}: DeleteBackupPlan", exc) from exc

    def _outputs(self, props: Mapping[str, Any], plan: Mapping[str, Any]) -> dict[str, Any]:
        return self.outputs(
            props, arn=plan["BackupPlanArn"], plan_id=plan["BackupPlanId"], version_id=plan["VersionId"]
        )


class BackupPlan(pulumi.dynamic.Resource, module="aws", name="BackupPlan"):
    """A Backup plan; the id is the plan id, also `plan_id`."""

    arn: pulumi.Output[str]
    plan_id: pulumi.Output[str]
    version_id: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        plan_name: pulumi.Input[str],
        rules: Sequence[pulumi.Input[BackupRule]],
        region: str | None = None,
        tags: Mapping[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "plan_name": plan_name,
            "rules": list(rules),
            "region": region,
            "tags": dict(tags or {}),
            "arn": None,
            "plan_id": None,
            "version_id": None,
        }
        super().__init__(BackupPlanProvider(), resource_name, props, opts)
