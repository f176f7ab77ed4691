"""A customer-managed KMS key: description, rotation, key policy, alias, tags.

Deleting a key only schedules its deletion (KMS never deletes at once); the
waiting period is `pending_window_days`, 30 by default (KMS's longest) on every
target, since data encrypted with the key is lost with it. Renaming the alias
moves the alias and keeps the key.
"""

from __future__ import annotations

import json
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
    client,
    error_code,
    is_not_found,
    rollback_on_failure,
    same_json,
    tag_list,
)
from provision.stacks.providers.tag_sync import apply_tag_changes, tags_of

# What a service needs of a key we do not know more about (the generic grant).
SERVICE_ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
GONE_STATES = frozenset({"PendingDeletion", "PendingReplicaDeletion"})
# KMS's longest waiting period: data still encrypted with a key is recoverable for a month.
PENDING_WINDOW_DAYS = 30


def service_statement(service: str, account_id: str, source_arn: str | None = None, partition: str = "aws") -> dict[str, Any]:
    """How `service` may use a key, in the form its own documentation gives.

    - EventBridge delivering to an encrypted topic: KMS receives no
      aws:SourceAccount/SourceArn/SourceOrgID for it, so any such condition
      makes every delivery fail (EventBridge user guide, "Amazon SNS permissions").
    - AWS Backup publishing vault events to an encrypted topic: SNS's
      compatibility statement, without source conditions (not documented for it).
    - CloudWatch alarms publishing to an encrypted topic: source account and alarm ARNs.
    - GuardDuty exporting findings: GenerateDataKey only, from this account's detectors.
    - CloudFront reading through an OAC: only the distribution `source_arn`.
    Any other service gets the generic grant for this account's requests.
    """
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"Service": service}, "Resource": "*"}
    this_account = {"aws:SourceAccount": account_id}
    name = service.split(".")[0]
    if name == "events":
        return {**statement, "Sid": "EventBridgePublishToEncryptedTopics", "Action": ["kms:Decrypt", "kms:GenerateDataKey"]}
    if name == "backup":
        return {**statement, "Sid": "BackupPublishToEncryptedTopics", "Action": ["kms:Decrypt", "kms:GenerateDataKey*"]}
    if name == "cloudwatch":
        return {
            **statement,
            "Sid": "CloudWatchAlarmsPublishToEncryptedTopics",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Condition": {
                "StringEquals": this_account,
                "ArnLike": {"aws:SourceArn": f"arn:{partition}:cloudwatch:*:{account_id}:alarm:*"},
            },
        }
    if name == "guardduty":
        return {
            **statement,
            "Sid": "GuardDutyExportFindings",
            "Action": "kms:GenerateDataKey",
            "Condition": {
                "StringEquals": this_account,
                "ArnLike": {"aws:SourceArn": f"arn:{partition}:guardduty:*:{account_id}:detector/*"},
            },
        }
    if name == "cloudfront":
        if not source_arn:
            raise ValueError("CloudFront may use a key only for a named distribution: pass its ARN")
        return {
            **statement,
            "Sid": "CloudFrontReadThroughOac",
            "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"],
            "Condition": {"StringEquals": {"AWS:SourceArn": source_arn}},
        }
    return {
        **statement,
        "Sid": f"{name.capitalize()}UseForThisAccount",
        "Action": SERVICE_ACTIONS,
        "Condition": {"StringEquals": this_account},
    }


def key_policy(
    account_id: str,
    services: Sequence[str] = (),
    *,
    source_arns: Mapping[str, str] | None = None,
    partition: str = "aws",
) -> str:
    """A key policy: the account administers the key through IAM; each named
    service principal (e.g. "events.amazonaws.com") may use it as its
    documentation says (`service_statement`); `source_arns` names the resource
    a service acts for where it must be named (CloudFront's distribution)."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "AccountAdministers",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
            "Action": "kms:*",
            # In a key policy "*" means this key.
            "Resource": "*",
        }
    ]
    arns = source_arns or {}
    statements += [service_statement(s, account_id, arns.get(s), partition) for s in sorted(set(services))]
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)


class KmsKeyProvider(AwsResourceProvider):
    REPLACE_ON = frozenset({"region"})
    OUTPUTS = frozenset({"arn", "key_id"})
    UNIQUE_BY = frozenset({"alias", "region"})  # an alias names one key per region
    # What verify and the other providers need to know of this kind (see AwsResourceProvider).
    INVENTORY_MARKER = "key_id"
    NOT_FOUND = frozenset({"NotFoundException"})
    EXISTENCE_PROBE = "existence:_key"
    TAG_READER = "tags:_kms"
    VERIFY_CHECKS = ("kms.rotation", "tags")

    def create(self, props: dict[str, Any]) -> CreateResult:
        kms = client("kms", props.get("region"))
        kwargs: dict[str, Any] = {
            "Description": props.get("description") or "",
            "KeyUsage": "ENCRYPT_DECRYPT",
            "KeySpec": "SYMMETRIC_DEFAULT",
            "Tags": tag_list(props.get("tags"), "TagKey", "TagValue"),
        }
        if props.get("key_policy"):
            kwargs["Policy"] = props["key_policy"]
        meta = aws_call("KMS key: CreateKey", kms.create_key, **kwargs)["KeyMetadata"]
        key_id = meta["KeyId"]
        with rollback_on_failure(lambda: self._schedule_deletion(kms, key_id, props)):
            self._set_rotation(kms, key_id, props)
            if props.get("alias"):
                aws_call(
                    f"KMS key {key_id}: CreateAlias {props['alias']}",
                    kms.create_alias,
                    AliasName=props["alias"],
                    TargetKeyId=key_id,
                )
        return CreateResult(key_id, self.outputs(props, arn=meta["Arn"], key_id=key_id))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult | None:
        kms = client("kms", props.get("region"))
        try:
            meta = kms.describe_key(KeyId=id_)["KeyMetadata"]
        except ClientError as exc:
            if is_not_found(exc):
                return None
            raise ProviderError(f"KMS key {id_}: DescribeKey: {error_code(exc)}") from exc
        if meta["KeyState"] in GONE_STATES:
            return None
        what = f"KMS key {id_}"
        rotation = aws_call(f"{what}: GetKeyRotationStatus", kms.get_key_rotation_status, KeyId=id_)
        policy = aws_call(f"{what}: GetKeyPolicy", kms.get_key_policy, KeyId=id_, PolicyName="default")["Policy"]
        tags = aws_call(f"{what}: ListResourceTags", kms.list_resource_tags, KeyId=id_)["Tags"]
        aliases = aws_call(f"{what}: ListAliases", kms.list_aliases, KeyId=id_)["Aliases"]
        names = sorted(a["AliasName"] for a in aliases)
        current = {
            **props,
            "description": meta.get("Description", ""),
            "enable_key_rotation": rotation["KeyRotationEnabled"],
            # Without a policy of ours, KMS's default applies; only report a change from ours.
            "key_policy": same_json(policy, props.get("key_policy")) if props.get("key_policy") else None,
            # Only our alias counts; others on the key are someone else's business.
            "alias": props.get("alias") if props.get("alias") in names else None,
            "tags": tags_of(tags, "TagKey", "TagValue"),
        }
        return ReadResult(id_, self.outputs(current, arn=meta["Arn"], key_id=id_))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        kms = client("kms", news.get("region"))
        what = f"KMS key {id_}"
        if news.get("alias") != olds.get("alias"):
            # A rename or a lost alias moves the name, never the key: the old key still encrypts the data.
            if news.get("alias"):
                aws_call(f"{what}: CreateAlias {news['alias']}", kms.create_alias, AliasName=news["alias"], TargetKeyId=id_)
            if olds.get("alias"):
                self._delete_alias(kms, id_, olds["alias"])
        if olds.get("description") != news.get("description"):
            aws_call(
                f"{what}: UpdateKeyDescription",
                kms.update_key_description,
                KeyId=id_,
                Description=news.get("description") or "",
            )
        key_arn = olds.get("arn") or aws_call(f"{what}: DescribeKey", kms.describe_key, KeyId=id_)["KeyMetadata"]["Arn"]
        if olds.get("key_policy") != news.get("key_policy"):
            # No policy of ours means KMS's default: the account administers the key.
            policy = news.get("key_policy") or key_policy(key_arn.split(":")[4])
            aws_call(f"{what}: PutKeyPolicy", kms.put_key_policy, KeyId=id_, PolicyName="default", Policy=policy)
        self._set_rotation(kms, id_, news)
        apply_tag_changes(
            olds.get("tags"),
            news.get("tags"),
            tag=lambda t: aws_call(
                f"{what}: TagResource", kms.tag_resource, KeyId=id_, Tags=tag_list(t, "TagKey", "TagValue")
            ),
            untag=lambda keys: aws_call(f"{what}: UntagResource", kms.untag_resource, KeyId=id_, TagKeys=keys),
        )
        return UpdateResult(self.outputs(news, arn=key_arn, key_id=id_))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        kms = client("kms", props.get("region"))
        if props.get("alias"):
            # Free the alias at once: a re-created stack wants the same name back.
            self._delete_alias(kms, id_, props["alias"])
        self._schedule_deletion(kms, id_, props)

    @staticmethod
    def _delete_alias(kms, key_id: str, alias: str) -> None:
        """Delete `alias` if it still names `key_id` (a same-named alias of another key is not ours)."""
        try:
            target = kms.describe_key(KeyId=alias)["KeyMetadata"]["KeyId"]
        except ClientError as exc:
            if is_not_found(exc):
                return
            raise ProviderError(f"KMS key {key_id}: DescribeKey {alias}: {error_code(exc)}") from exc
        if target != key_id:
            return
        try:
            kms.delete_alias(AliasName=alias)
        except ClientError as exc:
            if not is_not_found(exc):
                raise ProviderError(f"KMS key {key_id}: DeleteAlias {alias}: {error_code(exc)}") from exc

    @staticmethod
    def _set_rotation(kms, key_id: str, props: Mapping[str, Any]) -> None:
        if props.get("enable_key_rotation", True):
            aws_call(f"KMS key {key_id}: EnableKeyRotation", kms.enable_key_rotation, KeyId=key_id)
        else:
            aws_call(f"KMS key {key_id}: DisableKeyRotation", kms.disable_key_rotation, KeyId=key_id)

    @staticmethod
    def _schedule_deletion(kms, key_id: str, props: Mapping[str, Any]) -> None:
        try:
            state = kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]
        except ClientError as exc:
            if is_not_found(exc):
                return
            raise ProviderError(f"KMS key {key_id}: DescribeKey: {error_code(exc)}") from exc
        if state in GONE_STATES:
            return
        aws_call(
            f"KMS key {key_id}: ScheduleKeyDeletion",
            kms.schedule_key_deletion,
            KeyId=key_id,
            PendingWindowInDays=int(props.get("pending_window_days") or PENDING_WINDOW_DAYS),
        )


class KmsKey(pulumi.dynamic.Resource, module="aws", name="KmsKey"):
    """A symmetric KMS key; the id is the key id, `arn` its ARN."""

    arn: pulumi.Output[str]
    key_id: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        description: str,
        key_policy: pulumi.Input[str] | None = None,
        enable_key_rotation: bool = True,
        alias: pulumi.Input[str] | None = None,
        pending_window_days: int = PENDING_WINDOW_DAYS,
        region: str | None = None,
        tags: Mapping[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "description": description,
            "key_policy": key_policy,
            "enable_key_rotation": enable_key_rotation,
            "alias": alias,
            "pending_window_days": pending_window_days,
            "region": region,
            "tags": dict(tags or {}),
            "arn": None,
            "key_id": None,
        }
        super().__init__(KmsKeyProvider(), resource_name, props, opts)
