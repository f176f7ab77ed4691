"""An SNS topic: KMS encryption, a locked-down topic policy, email subscriptions, tags.

The topic policy is built here, not passed in, so every topic gets the same
guard rails: the owning account manages the topic, only the listed AWS
services (e.g. events.amazonaws.com, backup.amazonaws.com) may publish, and
only from this account, and publishing without TLS is denied.

Email subscriptions stay "pending confirmation" until the recipient confirms;
AWS cannot unsubscribe a pending address (it expires after three days), so
removing one from `email_subscriptions` only unsubscribes confirmed addresses.
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Sequence

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
    tag_list,
)
from provision.stacks.providers.calls import call_or_none
from provision.stacks.providers.tag_sync import tag_changes, tags_of

SERVICE_PUBLISH_SID = "AllowServicePublish"
OWNER_ACTIONS = [
    "SNS:GetTopicAttributes",
    "SNS:SetTopicAttributes",
    "SNS:AddPermission",
    "SNS:RemovePermission",
    "SNS:DeleteTopic",
    "SNS:Subscribe",
    "SNS:ListSubscriptionsByTopic",
    "SNS:Publish",
]


def topic_policy(topic_arn: str, publisher_services: Sequence[str]) -> dict[str, Any]:
    """The policy document every topic gets (see the module docstring)."""
    partition, account = topic_arn.split(":")[1], topic_arn.split(":")[4]
    statements: list[dict[str, Any]] = [
        {
            "Sid": "AllowOwnerManage",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
            "Action": OWNER_ACTIONS,
            "Resource": topic_arn,
        }
    ]
    if publisher_services:
        statements.append(
            {
                "Sid": SERVICE_PUBLISH_SID,
                "Effect": "Allow",
                "Principal": {"Service": sorted(publisher_services)},
                "Action": "SNS:Publish",
                "Resource": topic_arn,
                "Condition": {"StringEquals": {"aws:SourceAccount": account}},
            }
        )
    statements.append(
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "SNS:Publish",
            "Resource": topic_arn,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    )
    return {"Version": "2012-10-17", "Statement": statements}


def _publishers_in(policy: str | None) -> list[str]:
    """The services the topic policy lets publish, read back for drift."""
    for statement in json.loads(policy or "{}").get("Statement", []):
        if statement.get("Sid") == SERVICE_PUBLISH_SID:
            services = statement.get("Principal", {}).get("Service", [])
            return sorted([services] if isinstance(services, str) else services)
    return []


def _email_subscriptions(sns, topic_arn: str) -> dict[str, str]:
    """Email endpoint -> subscription ARN ("PendingConfirmation" while pending)."""
    pages = sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn)
    subscriptions = aws_call(
        f"SNS topic {topic_arn}: ListSubscriptionsByTopic", lambda: [s for page in pages for s in page["Subscriptions"]]
    )
    return {s["Endpoint"]: s["SubscriptionArn"] for s in subscriptions if s["Protocol"] == "email"}


def _region_of(topic_arn: str) -> str:
    return topic_arn.split(":")[3]


class SnsTopicProvider(AwsResourceProvider):
    REPLACE_ON = frozenset({"name", "region"})
    OUTPUTS = frozenset({"arn"})
    UNIQUE_BY = frozenset({"name", "region"})
    SET_LIKE = frozenset({"publisher_services", "email_subscriptions"})
    # What verify and the other providers need to know of this kind (see AwsResourceProvider).
    INVENTORY_MARKER = "email_subscriptions"
    NOT_FOUND = frozenset({"NotFound"})
    EXISTENCE_PROBE = "existence:_topic"
    TAG_READER = ("tags:_arn_list", "sns", "ResourceArn")
    VERIFY_CHECKS = ("sns.encryption", "tags")

    def create(self, props: dict[str, Any]) -> CreateResult:
        sns = client("sns", props.get("region"))
        name = props["name"]
        attributes = {}
        if props.get("kms_master_key_id"):
            attributes["KmsMasterKeyId"] = props["kms_master_key_id"]
        arn = aws_call(
            f"SNS topic {name}: CreateTopic",
            sns.create_topic,
            Name=name,
            Attributes=attributes,
            Tags=tag_list(props.get("tags")),
        )["TopicArn"]
        with rollback_on_failure(lambda: sns.delete_topic(TopicArn=arn)):
            self._set_policy(sns, arn, props)
            self._sync_emails(sns, arn, props.get("email_subscriptions") or [])
        return CreateResult(arn, self.outputs(props, arn=arn))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult | None:
        sns = client("sns", _region_of(id_))
        found = call_or_none(f"SNS topic {id_}: GetTopicAttributes", sns.get_topic_attributes, TopicArn=id_)
        if found is None:
            return None
        attributes = found["Attributes"]
        tags = aws_call(f"SNS topic {id_}: ListTagsForResource", sns.list_tags_for_resource, ResourceArn=id_)["Tags"]
        current = {
            **props,
            "name": id_.split(":")[-1],
            "kms_master_key_id": attributes.get("KmsMasterKeyId") or None,
            "publisher_services": _publishers_in(attributes.get("Policy")),
            "email_subscriptions": sorted(_email_subscriptions(sns, id_)),
            "tags": tags_of(tags),
        }
        return ReadResult(id_, self.outputs(current, arn=id_))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        sns = client("sns", _region_of(id_))
        if olds.get("kms_master_key_id") != news.get("kms_master_key_id"):
            aws_call(
                f"SNS topic {id_}: SetTopicAttributes KmsMasterKeyId",
                sns.set_topic_attributes,
                TopicArn=id_,
                AttributeName="KmsMasterKeyId",
                # An empty value turns server-side encryption off.
                AttributeValue=news.get("kms_master_key_id") or "",
            )
        self._set_policy(sns, id_, news)
        self._sync_emails(sns, id_, news.get("email_subscriptions") or [])
        self._sync_tags(sns, id_, olds.get("tags") or {}, news.get("tags") or {})
        return UpdateResult(self.outputs(news, arn=id_))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        # DeleteTopic succeeds for a topic that is already gone.
        aws_call(f"SNS topic {id_}: DeleteTopic", client("sns", _region_of(id_)).delete_topic, TopicArn=id_)

    @staticmethod
    def _set_policy(sns, arn: str, props: Mapping[str, Any]) -> None:
        policy = topic_policy(arn, props.get("publisher_services") or [])
        aws_call(
            f"SNS topic {arn}: SetTopicAttributes Policy",
            sns.set_topic_attributes,
            TopicArn=arn,
            AttributeName="Policy",
            AttributeValue=json.dumps(policy),
        )

    @staticmethod
    def _sync_emails(sns, arn: str, wanted: Sequence[str]) -> None:
        current = _email_subscriptions(sns, arn)
        for email in sorted(set(wanted) - current.keys()):
            aws_call(f"SNS topic {arn}: Subscribe", sns.subscribe, TopicArn=arn, Protocol="email", Endpoint=email)
        for email, sub_arn in sorted(current.items()):
            if email not in wanted and sub_arn.startswith("arn:"):
                aws_call(f"SNS topic {arn}: Unsubscribe", sns.unsubscribe, SubscriptionArn=sub_arn)

    @staticmethod
    def _sync_tags(sns, arn: str, old: Mapping[str, str], new: Mapping[str, str]) -> None:
        to_set, removed = tag_changes(old, new)
        if removed:
            aws_call(f"SNS topic {arn}: UntagResource", sns.untag_resource, ResourceArn=arn, TagKeys=removed)
        if to_set:
            aws_call(f"SNS topic {arn}: TagResource", sns.tag_resource, ResourceArn=arn, Tags=tag_list(to_set))


class SnsTopic(pulumi.dynamic.Resource, module="aws", name="SnsTopic"):
    """An SNS topic; `arn` is its ARN (also the resource id)."""

    arn: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        name: pulumi.Input[str],
        kms_master_key_id: pulumi.Input[str] | None = None,
        publisher_services: Sequence[str] = (),
        email_subscriptions: Sequence[str] = (),
        tags: Mapping[str, pulumi.Input[str]] | None = None,
        region: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "name": name,
            "kms_master_key_id": kms_master_key_id,
            "publisher_services": sorted(publisher_services),
            "email_subscriptions": sorted(set(email_subscriptions)),
            "tags": dict(tags or {}),
            # Where the topic lives when not the stack's region (CloudWatch alarms
            # notify topics of their own region, e.g. us-east-1 for CloudFront).
            "region": region,
            "arn": None,
        }
        super().__init__(SnsTopicProvider(), resource_name, props, opts)
