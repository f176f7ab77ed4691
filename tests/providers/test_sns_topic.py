"""SnsTopicProvider against moto: lifecycle, policy, subscriptions, tags, errors."""

from __future__ import annotations

import json

import boto3
import pytest

from provision.stacks.providers.base import ProviderError
from provision.stacks.providers.sns_topic import SnsTopicProvider, topic_policy

REGION = "eu-west-1"
ACCOUNT = "123456789012"


def _props(**overrides):
    props = {
        "name": "alerts",
        "kms_master_key_id": "alias/aws/sns",
        "publisher_services": ["events.amazonaws.com"],
        "email_subscriptions": ["soc@vendor.example"],
        "tags": {"provision:plan": "acme"},
    }
    return {**props, **overrides}


def _policy(sns, arn: str) -> dict:
    return json.loads(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])


def test_create_sets_encryption_policy_subscriptions_and_tags(aws) -> None:
    sns = boto3.client("sns", region_name=REGION)
    result = SnsTopicProvider().create(_props())

    arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts"
    assert result.id == arn
    assert result.outs["arn"] == arn
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["KmsMasterKeyId"] == "alias/aws/sns"
    assert _policy(sns, arn) == topic_policy(arn, ["events.amazonaws.com"])
    subs = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in subs] == [("email", "soc@vendor.example")]
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "provision:plan", "Value": "acme"}]


def test_policy_allows_only_listed_services_from_this_account_and_denies_plain_http() -> None:
    arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts"
    policy = topic_policy(arn, ["events.amazonaws.com", "backup.amazonaws.com"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}

    publish = by_sid["AllowServicePublish"]
    assert publish["Principal"] == {"Service": ["backup.amazonaws.com", "events.amazonaws.com"]}
    assert publish["Action"] == "SNS:Publish"
    assert publish["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    deny = by_sid["DenyInsecureTransport"]
    assert (deny["Effect"], deny["Principal"], deny["Condition"]) == (
        "Deny",
        "*",
        {"Bool": {"aws:SecureTransport": "false"}},
    )
    assert by_sid["AllowOwnerManage"]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert "AllowServicePublish" not in {s["Sid"] for s in topic_policy(arn, [])["Statement"]}


def test_read_reflects_drift(aws) -> None:
    sns = boto3.client("sns", region_name=REGION)
    props = _props()
    arn = SnsTopicProvider().create(props).id
    sns.set_topic_attributes(TopicArn=arn, AttributeName="KmsMasterKeyId", AttributeValue="")
    sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=json.dumps(topic_policy(arn, [])))
    sns.subscribe(TopicArn=arn, Protocol="email", Endpoint="intruder@elsewhere.example")
    sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "extra", "Value": "1"}])

    outs = SnsTopicProvider().read(arn, {**props, "arn": arn}).outs

    assert outs["kms_master_key_id"] is None
    assert outs["publisher_services"] == []
    assert outs["email_subscriptions"] == ["intruder@elsewhere.example", "soc@vendor.example"]
    assert outs["tags"] == {"extra": "1", "provision:plan": "acme"}
    assert outs["name"] == "alerts"


def test_diff_name_replaces_other_settings_update() -> None:
    provider = SnsTopicProvider()
    old = {**_props(), "arn": "arn:old"}

    renamed = provider.diff("arn:old", old, _props(name="other"))
    assert renamed.replaces == ["name"]

    changed = provider.diff("arn:old", old, _props(email_subscriptions=["a@x.example"], tags={}))
    assert changed.changes and changed.replaces == []

    assert not provider.diff("arn:old", old, _props()).changes


def test_update_changes_key_policy_subscriptions_and_tags(aws) -> None:
    sns = boto3.client("sns", region_name=REGION)
    provider = SnsTopicProvider()
    olds = _props()
    arn = provider.create(olds).id
    news = _props(
        kms_master_key_id="alias/other",
        publisher_services=["backup.amazonaws.com"],
        email_subscriptions=["oncall@acme.example"],
        tags={"team": "sec"},
    )

    result = provider.update(arn, {**olds, "arn": arn}, news)

    assert result.outs["arn"] == arn
    read = provider.read(arn, result.outs).outs
    assert read["kms_master_key_id"] == "alias/other"
    assert read["publisher_services"] == ["backup.amazonaws.com"]
    assert read["email_subscriptions"] == ["oncall@acme.example"]
    assert read["tags"] == {"team": "sec"}
    assert _policy(sns, arn) == topic_policy(arn, ["backup.amazonaws.com"])


def test_update_can_turn_encryption_off(aws) -> None:
    provider = SnsTopicProvider()
    olds = _props()
    arn = provider.create(olds).id

    provider.update(arn, olds, _props(kms_master_key_id=None))

    assert provider.read(arn, olds).outs["kms_master_key_id"] is None


def test_delete_then_read_is_none_and_delete_again_is_fine(aws) -> None:
    provider = SnsTopicProvider()
    props = _props()
    arn = provider.create(props).id

    provider.delete(arn, props)

    assert provider.read(arn, props) is None
    provider.delete(arn, props)


def test_aws_error_code_is_in_the_message(aws) -> None:
    with pytest.raises(ProviderError) as exc:
        SnsTopicProvider().create(_props(name="not a valid name"))
    assert str(exc.value).startswith("SNS topic not a valid name: CreateTopic: InvalidParameter: Topic names must")


def test_a_topic_in_another_region_is_created_read_and_deleted_there(aws) -> None:
    provider = SnsTopicProvider()
    props = _props(region="us-east-1")

    arn = provider.create(props).id

    assert arn == f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"
    assert boto3.client("sns", region_name=REGION).list_topics()["Topics"] == []
    assert provider.read(arn, props).outs["arn"] == arn
    provider.delete(arn, props)
    assert provider.read(arn, props) is None
    assert provider.diff(arn, {**props, "arn": arn}, _props(region=None)).replaces == ["region"]
