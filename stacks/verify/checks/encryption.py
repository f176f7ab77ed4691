"""Keys rotate; topics and log groups are encrypted with a customer key."""

from __future__ import annotations

from typing import Iterator

from provision.stacks.verify.model import LiveResource, Outcome, VerifyContext, check, fail, ok


@check("kms.rotation")
def key_rotation(res: LiveResource, ctx: VerifyContext) -> Iterator[Outcome]:
    """Automatic rotation is on."""
    if ctx.client("kms", res).get_key_rotation_status(KeyId=res.arn)["KeyRotationEnabled"]:
        yield ok("automatic key rotation enabled")
    else:
        yield fail("automatic key rotation disabled")


@check("sns.encryption")
def topic_encryption(res: LiveResource, ctx: VerifyContext) -> Iterator[Outcome]:
    """The topic encrypts messages at rest with a KMS key."""
    attributes = ctx.client("sns", res).get_topic_attributes(TopicArn=res.arn)["Attributes"]
    key = attributes.get("KmsMasterKeyId")
    yield ok(f"encrypted with KMS key {key}") if key else fail("not encrypted: no KmsMasterKeyId")


@check("logs.encryption")
def log_group_encryption(res: LiveResource, ctx: VerifyContext) -> Iterator[Outcome]:
    """The log group is encrypted with a KMS key."""
    pages = ctx.client("logs", res).get_paginator("describe_log_groups").paginate(logGroupNamePrefix=res.id)
    group = next((g for page in pages for g in page["logGroups"] if g["logGroupName"] == res.id), None)
    if group is None:
        yield fail("not found in AWS: deleted outside provision?")
    elif group.get("kmsKeyId"):
        yield ok(f"encrypted with KMS key {group['kmsKeyId']}")
    else:
        yield fail("not encrypted with a KMS key (no kmsKeyId)")
