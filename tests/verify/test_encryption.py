"""Key rotation, topic and log group encryption: compliant passes, weakened fails naming the resource."""

from __future__ import annotations

import pytest

from provision.stacks.providers.base import client
from provision.stacks.providers.kms_key import KmsKeyProvider, key_policy
from provision.stacks.providers.log_group import LogGroupProvider
from provision.stacks.providers.sns_topic import SnsTopicProvider
from provision.stacks.verify.checks import encryption


@pytest.fixture
def key(deploy):
    # CloudWatch Logs may use it, as AWS requires of a key encrypting a log group.
    props = {"description": "k", "enable_key_rotation": True, "tags": {},
             "key_policy": key_policy("123456789012", ["logs.eu-west-1.amazonaws.com"])}  # fmt: skip
    return deploy(KmsKeyProvider(), props, name="soc-key", function="soc")


def test_rotating_key_passes_and_fails_once_rotation_is_off(key, verify_ctx, results):
    ctx = verify_ctx(key)
    assert [(r.check, r.resource, r.passed, r.detail) for r in results(encryption.key_rotation, key, ctx)] == [
        ("kms.rotation", key.arn, True, "automatic key rotation enabled")
    ]
    client("kms").disable_key_rotation(KeyId=key.id)
    assert [(r.resource, r.passed, r.detail) for r in results(encryption.key_rotation, key, ctx)] == [
        (key.arn, False, "automatic key rotation disabled")
    ]


def test_encrypted_topic_passes_and_fails_once_its_key_is_removed(key, deploy, verify_ctx, results):
    topic = deploy(
        SnsTopicProvider(),
        {"name": "soc-alerts", "kms_master_key_id": key.arn, "publisher_services": [], "email_subscriptions": [], "tags": {}},
        name="soc-alerts",
        function="soc",
    )
    ctx = verify_ctx(key, topic)
    assert [(r.check, r.resource, r.passed, r.detail) for r in results(encryption.topic_encryption, topic, ctx)] == [
        ("sns.encryption", topic.arn, True, f"encrypted with KMS key {key.arn}")
    ]
    client("sns").set_topic_attributes(TopicArn=topic.arn, AttributeName="KmsMasterKeyId", AttributeValue="")
    assert [(r.resource, r.passed, r.detail) for r in results(encryption.topic_encryption, topic, ctx)] == [
        (topic.arn, False, "not encrypted: no KmsMasterKeyId")
    ]


def test_encrypted_log_group_passes_and_fails_once_its_key_is_disassociated(key, deploy, verify_ctx, results):
    group = deploy(
        LogGroupProvider(),
        {"log_group_name": "/provision/flow", "retention_in_days": 90, "kms_key_arn": key.arn, "tags": {}},
        name="net-flow-logs",
        function="net",
    )
    ctx = verify_ctx(key, group)
    assert [(r.check, r.resource, r.passed, r.detail) for r in results(encryption.log_group_encryption, group, ctx)] == [
        ("logs.encryption", group.arn, True, f"encrypted with KMS key {key.arn}")
    ]
    client("logs").disassociate_kms_key(logGroupName="/provision/flow")
    assert [(r.resource, r.passed, r.detail) for r in results(encryption.log_group_encryption, group, ctx)] == [
        (group.arn, False, "not encrypted with a KMS key (no kmsKeyId)")
    ]


def test_a_log_group_deleted_outside_provision_fails(key, deploy, verify_ctx, results):
    group = deploy(LogGroupProvider(), {"log_group_name": "/provision/gone", "retention_in_days": 90, "tags": {}}, name="g", function="net")
    client("logs").delete_log_group(logGroupName="/provision/gone")
    [result] = results(encryption.log_group_encryption, group, verify_ctx(group))
    assert (result.resource, result.passed, result.detail) == (group.arn, False, "not found in AWS: deleted outside provision?")
