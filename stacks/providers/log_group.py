"""A CloudWatch Logs log group: name (fixed), retention, KMS key, tags.

The KMS key is given at creation and changed in place with
AssociateKmsKey/DisassociateKmsKey; data already ingested stays encrypted
with the key it was written under.
"""

from __future__ import annotations

from typing import Any, Mapping

import pulumi
import pulumi.dynamic

from provision.stacks.providers.base import (
    AwsResourceProvider,
    CreateResult,
    ReadResult,
    UpdateResult,
    aws_call,
    client,
    rollback_on_failure,
)
from provision.stacks.providers.calls import call_or_none
from provision.stacks.providers.tag_sync import apply_tag_changes

# The only retention periods CloudWatch Logs accepts (days).
RETENTION_DAYS = frozenset(
    {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
)


class LogGroupProvider(AwsResourceProvider):
    REPLACE_ON = frozenset({"log_group_name"})
    OUTPUTS = frozenset({"arn"})
    UNIQUE_BY = frozenset({"log_group_name"})
    # What verify and the other providers need to know of this kind (see AwsResourceProvider).
    INVENTORY_MARKER = "log_group_name"
    NOT_FOUND = frozenset({"ResourceNotFoundException"})
    EXISTENCE_PROBE = "existence:_log_group"
    TAG_READER = "tags:_log_group"
    VERIFY_CHECKS = ("logs.encryption", "tags")

    def create(self, props: dict[str, Any]) -> CreateResult:
        logs = client("logs")
        name = props["log_group_name"]
        extra = {"kmsKeyId": props["kms_key_arn"]} if props.get("kms_key_arn") else {}
        aws_call(f"Log group {name}: CreateLogGroup", logs.create_log_group, logGroupName=name, tags=dict(props.get("tags") or {}), **extra)
        with rollback_on_failure(lambda: self.delete(name, props)):
            self._set_retention(logs, name, props.get("retention_in_days"))
            group = self._describe(logs, name)
        return CreateResult(name, self.outputs(props, arn=group["logGroupArn"]))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult | None:
        logs = client("logs")
        group = self._describe(logs, id_)
        if group is None:
            return None
        arn = group["logGroupArn"]
        tags = aws_call(f"Log group {id_}: ListTagsForResource", logs.list_tags_for_resource, resourceArn=arn)["tags"]
        current = {
            **props,
            "log_group_name": id_,
            "retention_in_days": group.get("retentionInDays"),
            "kms_key_arn": group.get("kmsKeyId"),
            "tags": tags,
        }
        return ReadResult(id_, self.outputs(current, arn=arn))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        logs = client("logs")
        if olds.get("retention_in_days") != news.get("retention_in_days"):
            self._set_retention(logs, id_, news.get("retention_in_days"))
        if olds.get("kms_key_arn") != news.get("kms_key_arn"):
            if news.get("kms_key_arn"):
                aws_call(
                    f"Log group {id_}: AssociateKmsKey",
                    logs.associate_kms_key,
                    logGroupName=id_,
                    kmsKeyId=news["kms_key_arn"],
                )
            else:
                aws_call(f"Log group {id_}: DisassociateKmsKey", logs.disassociate_kms_key, logGroupName=id_)
        self._sync_tags(logs, olds["arn"], olds.get("tags"), news.get("tags"))
        return UpdateResult(self.outputs(news, arn=olds["arn"]))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        call_or_none(f"Log group {id_}: DeleteLogGroup", client("logs").delete_log_group, logGroupName=id_)

    @staticmethod
    def _describe(logs, name: str) -> dict | None:
        groups = aws_call(
            f"Log group {name}: DescribeLogGroups",
            logs.describe_log_groups,
            logGroupNamePrefix=name,
        )["logGroups"]
        return next((g for g in groups if g["logGroupName"] == name), None)

    @staticmethod
    def _set_retention(logs, name: str, days: Any) -> None:
        if days:
            aws_call(
                f"Log group {name}: PutRetentionPolicy",
                logs.put_retention_policy,
                logGroupName=name,
                retentionInDays=int(days),
            )
        else:
            aws_call(f"Log group {name}: DeleteRetentionPolicy", logs.delete_retention_policy, logGroupName=name)

    @staticmethod
    def _sync_tags(logs, arn: str, old: Mapping[str, str] | None, new: Mapping[str, str] | None) -> None:
        apply_tag_changes(
            old,
            new,
            untag=lambda keys: aws_call(f"Log group {arn}: UntagResource", logs.untag_resource, resourceArn=arn, tagKeys=keys),
            tag=lambda tags: aws_call(f"Log group {arn}: TagResource", logs.tag_resource, resourceArn=arn, tags=tags),
        )


class LogGroup(pulumi.dynamic.Resource, module="aws", name="LogGroup"):
    """A log group; its name is the resource id, `arn` its ARN (no trailing ':*')."""

    arn: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        log_group_name: pulumi.Input[str],
        retention_in_days: int | None = None,
        kms_key_arn: pulumi.Input[str] | None = None,
        tags: Mapping[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if retention_in_days is not None and retention_in_days not in RETENTION_DAYS:
            raise ValueError(f"retention_in_days {retention_in_days} is not one CloudWatch Logs accepts: {sorted(RETENTION_DAYS)}")
        props = {
            "log_group_name": log_group_name,
            "retention_in_days": retention_in_days,
            "kms_key_arn": kms_key_arn,
            "tags": dict(tags or {}),
            "arn": None,
        }
        super().__init__(LogGroupProvider(), resource_name, props, opts)
