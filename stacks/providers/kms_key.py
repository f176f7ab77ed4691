"""A customer-managed KMS key: description, rotation, key policy, alias, tags.

Deleting a key only schedules its deletion (KMS never deletes at once); the
waiting period is `pending_window_days`, 7 by default, the shortest KMS allows,
so a destroyed sandbox or test stack does not keep keys around for a month.
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
    DiffResult,
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

# What AWS services need to use a key that encrypts their data.
SERVICE_ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
GONE_STATES = frozenset({"PendingDeletion", "PendingReplicaDeletion"})


def key_policy(account_id: str, services: Sequence[str] = ()) -> str:
    """A key policy: the account administers the key through IAM; the named
    service principals (e.g. "backup.amazonaws.com") may use it on behalf of
    this account only."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "AccountAdministers",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
            "Action": "kms:*",
            # In a key policy "*" means this key.
            "Resource": "*",
        }
    ]
    if services:
        statements.append(
            {
                "Sid": "ServicesUseForThisAccount",
                "Effect": "Allow",
                "Principal": {"Service": sorted(set(services))},
                "Action": SERVICE_ACTIONS,
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        )
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)


class KmsKeyProvider(AwsResourceProvider):
    REPLACE_ON = frozenset({"alias", "region"})
    OUTPUTS = frozenset({"arn", "key_id"})
    UNIQUE_BY = frozenset({"alias", "region"})  # an alias names one key per region

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

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        result = super().diff(id_, olds, news)
        if result.replaces == ["alias"] and not olds.get("alias"):
            # A lost alias is put back in place: replacing the key would schedule the
            # deletion of the key that still encrypts the data. Only renaming replaces.
            return DiffResult(changes=True, replaces=[], stables=sorted(self.OUTPUTS), delete_before_replace=False)
        return result

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        kms = client("kms", news.get("region"))
        what = f"KMS key {id_}"
        if news.get("alias") and not olds.get("alias"):
            aws_call(f"{what}: CreateAlias {news['alias']}", kms.create_alias, AliasName=news["alias"], TargetKeyId=id_)
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
            try:
                kms.delete_alias(AliasName=props["alias"])
            except ClientError as exc:
                if not is_not_found(exc):
                    raise ProviderError(f"KMS key {id_}: DeleteAlias {props['alias']}: {error_code(exc)}") from exc
        self._schedule_deletion(kms, id_, props)

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
            PendingWindowInDays=int(props.get("pending_window_days") or 7),
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
        pending_window_days: int = 7,
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
