"""KmsKeyProvider against moto: lifecycle, rotation, policy, alias, drift, errors."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import boto3
import pytest

from provision.stacks.providers.base import ProviderError
from provision.stacks.providers.kms_key import KmsKeyProvider, key_policy


def _props(account_id: str, **overrides):
    props = {
        "description": "backups of acme-prod",
        "key_policy": key_policy(account_id, ["backup.amazonaws.com"]),
        "enable_key_rotation": True,
        "alias": "alias/acme-prod-backups",
        "region": None,
        "tags": {"provision:plan": "acme"},
    }
    return {**props, **overrides}


@pytest.fixture
def kms(aws, region):
    return boto3.client("kms", region_name=region)


def test_key_policy_lets_the_account_administer_and_other_services_use_the_key_for_it() -> None:
    policy = json.loads(key_policy("123456789012", ["sns.amazonaws.com", "sns.amazonaws.com"]))

    assert policy["Statement"] == [
        {
            "Sid": "AccountAdministers",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            "Sid": "SnsUseForThisAccount",
            "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
        },
    ]
    assert len(json.loads(key_policy("123456789012"))["Statement"]) == 1


def test_eventbridge_and_backup_use_the_documented_encrypted_topic_statement_without_source_conditions() -> None:
    # EventBridge's KMS requests carry no aws:SourceAccount/SourceArn/SourceOrgID:
    # a condition on them makes KMS refuse every delivery to the encrypted topic.
    statements = json.loads(key_policy("123456789012", ["events.amazonaws.com", "backup.amazonaws.com"]))["Statement"]

    assert statements[1:] == [
        {
            "Sid": "BackupPublishToEncryptedTopics",
            "Effect": "Allow",
            "Principal": {"Service": "backup.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
        },
        {
            "Sid": "EventBridgePublishToEncryptedTopics",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": "*",
        },
    ]


def test_cloudfront_may_use_the_key_only_for_the_named_distribution_in_the_given_partition() -> None:
    arn = "arn:aws-cn:cloudfront::123456789012:distribution/E1"
    policy = key_policy(
        "123456789012", ["cloudfront.amazonaws.com"], source_arns={"cloudfront.amazonaws.com": arn}, partition="aws-cn"
    )

    admin, cloudfront = json.loads(policy)["Statement"]
    assert admin["Principal"] == {"AWS": "arn:aws-cn:iam::123456789012:root"}
    assert cloudfront["Condition"] == {"StringEquals": {"AWS:SourceArn": arn}}
    assert cloudfront["Action"] == ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"]
    with pytest.raises(ValueError, match="distribution"):
        key_policy("123456789012", ["cloudfront.amazonaws.com"])


def test_create_sets_rotation_policy_alias_and_tags(kms, account_id, region) -> None:
    props = _props(account_id)

    result = KmsKeyProvider().create(props)

    key_id = result.id
    assert result.outs["key_id"] == key_id
    assert result.outs["arn"] == f"arn:aws:kms:{region}:{account_id}:key/{key_id}"
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert meta["Description"] == "backups of acme-prod"
    assert meta["KeySpec"] == "SYMMETRIC_DEFAULT"
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
    assert json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]) == json.loads(
        props["key_policy"]
    )
    assert [a["AliasName"] for a in kms.list_aliases(KeyId=key_id)["Aliases"]] == ["alias/acme-prod-backups"]
    assert kms.list_resource_tags(KeyId=key_id)["Tags"] == [{"TagKey": "provision:plan", "TagValue": "acme"}]


def test_create_in_another_region(aws, account_id) -> None:
    result = KmsKeyProvider().create(_props(account_id, region="eu-central-1", alias="alias/copy"))

    assert result.outs["arn"].startswith(f"arn:aws:kms:eu-central-1:{account_id}:key/")
    eu_central = boto3.client("kms", region_name="eu-central-1")
    assert eu_central.describe_key(KeyId=result.id)["KeyMetadata"]["KeyState"] == "Enabled"


def test_read_matches_create_and_reflects_drift(kms, account_id) -> None:
    provider = KmsKeyProvider()
    created = provider.create(_props(account_id))
    assert provider.read(created.id, created.outs).outs == created.outs

    kms.disable_key_rotation(KeyId=created.id)
    kms.update_key_description(KeyId=created.id, Description="changed")
    kms.put_key_policy(KeyId=created.id, PolicyName="default", Policy=key_policy(account_id))
    kms.tag_resource(KeyId=created.id, Tags=[{"TagKey": "extra", "TagValue": "1"}])
    outs = provider.read(created.id, created.outs).outs

    assert outs["enable_key_rotation"] is False
    assert outs["description"] == "changed"
    assert json.loads(outs["key_policy"]) == json.loads(key_policy(account_id))
    assert outs["tags"] == {"provision:plan": "acme", "extra": "1"}


def test_read_returns_none_when_deleted_or_pending_deletion(kms, account_id) -> None:
    provider = KmsKeyProvider()
    created = provider.create(_props(account_id))
    kms.schedule_key_deletion(KeyId=created.id, PendingWindowInDays=7)

    assert provider.read(created.id, created.outs) is None
    assert provider.read("0b2c9a1e-0000-4000-8000-000000000000", created.outs) is None


@pytest.mark.parametrize(
    ("change", "replaces"),
    [
        ({"alias": "alias/other"}, []),
        ({"region": "eu-central-1"}, ["region"]),
        ({"description": "new"}, []),
        ({"enable_key_rotation": False}, []),
        ({"key_policy": "{}"}, []),
        ({"tags": {}}, []),
    ],
)
def test_diff_replaces_only_for_region(account_id, change, replaces) -> None:
    olds = {**_props(account_id), "arn": "arn:aws:kms:eu-west-1:123456789012:key/k", "key_id": "k"}

    diff = KmsKeyProvider().diff("k", olds, _props(account_id, **change))

    assert diff.changes is True
    assert diff.replaces == replaces


def test_a_lost_alias_is_put_back_without_replacing_the_key(kms, account_id) -> None:
    provider = KmsKeyProvider()
    created = provider.create(_props(account_id))
    kms.delete_alias(AliasName="alias/acme-prod-backups")
    kms.create_alias(AliasName="alias/someone-elses", TargetKeyId=created.id)
    drifted = provider.read(created.id, created.outs).outs
    assert drifted["alias"] is None

    diff = provider.diff(created.id, drifted, _props(account_id))
    assert (diff.changes, diff.replaces) == (True, [])
    provider.update(created.id, drifted, _props(account_id))

    aliases = sorted(a["AliasName"] for a in kms.list_aliases(KeyId=created.id)["Aliases"])
    assert aliases == ["alias/acme-prod-backups", "alias/someone-elses"]


def test_update_changes_description_rotation_policy_and_tags(kms, account_id) -> None:
    provider = KmsKeyProvider()
    olds = provider.create(_props(account_id)).outs
    news = _props(
        account_id,
        description="new",
        enable_key_rotation=False,
        key_policy=key_policy(account_id, ["logs.amazonaws.com"]),
        tags={"team": "ops"},
    )

    result = provider.update(olds["key_id"], olds, news)

    assert result.outs["arn"] == olds["arn"]
    assert provider.read(olds["key_id"], result.outs).outs == result.outs
    assert kms.list_resource_tags(KeyId=olds["key_id"])["Tags"] == [{"TagKey": "team", "TagValue": "ops"}]


def test_update_without_a_policy_restores_the_account_default(kms, account_id) -> None:
    provider = KmsKeyProvider()
    olds = provider.create(_props(account_id)).outs

    provider.update(olds["key_id"], olds, _props(account_id, key_policy=None))

    policy = kms.get_key_policy(KeyId=olds["key_id"], PolicyName="default")["Policy"]
    assert json.loads(policy) == json.loads(key_policy(account_id))


def test_delete_frees_the_alias_schedules_deletion_and_is_idempotent(kms, account_id) -> None:
    provider = KmsKeyProvider()
    created = provider.create(_props(account_id))

    provider.delete(created.id, created.outs)
    provider.delete(created.id, created.outs)

    assert kms.describe_key(KeyId=created.id)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    assert kms.list_aliases(KeyId=created.id)["Aliases"] == []
    # The alias is free again for a re-created stack.
    provider.create(_props(account_id))


def test_delete_when_the_key_never_existed(aws, account_id) -> None:
    KmsKeyProvider().delete("0b2c9a1e-0000-4000-8000-000000000000", _props(account_id))


def test_create_with_a_taken_alias_fails_clearly_and_leaves_no_key(kms, account_id) -> None:
    KmsKeyProvider().create(_props(account_id))

    with pytest.raises(
        ProviderError, match=r"^KMS key \S+: CreateAlias alias/acme-prod-backups: AlreadyExistsException: "
    ):
        KmsKeyProvider().create(_props(account_id))

    states = [kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"] for k in kms.list_keys()["Keys"]]
    assert sorted(states) == ["Enabled", "PendingDeletion"]


def test_update_of_a_vanished_key_names_the_aws_error(aws, account_id) -> None:
    olds = {**_props(account_id), "arn": f"arn:aws:kms:eu-west-1:{account_id}:key/k", "key_id": "k"}
    missing = "0b2c9a1e-0000-4000-8000-000000000000"

    with pytest.raises(ProviderError, match=rf"^KMS key {missing}: UpdateKeyDescription: NotFoundException: "):
        KmsKeyProvider().update(missing, olds, _props(account_id, description="new"))


def test_renaming_the_alias_moves_it_and_keeps_the_key(kms, account_id) -> None:
    provider = KmsKeyProvider()
    olds = provider.create(_props(account_id)).outs
    news = _props(account_id, alias="alias/acme-prod-backups-v2")

    assert provider.diff(olds["key_id"], olds, news).replaces == []
    provider.update(olds["key_id"], olds, news)

    assert [a["AliasName"] for a in kms.list_aliases(KeyId=olds["key_id"])["Aliases"]] == ["alias/acme-prod-backups-v2"]
    assert kms.describe_key(KeyId=olds["key_id"])["KeyMetadata"]["KeyState"] == "Enabled"


def test_delete_waits_thirty_days_and_leaves_a_same_named_alias_of_another_key(kms, account_id) -> None:
    provider = KmsKeyProvider()
    created = provider.create(_props(account_id))
    kms.delete_alias(AliasName="alias/acme-prod-backups")
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/acme-prod-backups", TargetKeyId=other)

    provider.delete(created.id, created.outs)

    meta = kms.describe_key(KeyId=created.id)["KeyMetadata"]
    assert meta["KeyState"] == "PendingDeletion"
    assert (meta["DeletionDate"] - datetime.now(timezone.utc)).days in (29, 30)
    assert [a["AliasName"] for a in kms.list_aliases(KeyId=other)["Aliases"]] == ["alias/acme-prod-backups"]


def test_the_partition_comes_from_the_region() -> None:
    from provision.stacks.providers.calls import partition_of

    assert [partition_of(r) for r in ("eu-west-1", "us-gov-west-1", "cn-north-1")] == ["aws", "aws-us-gov", "aws-cn"]
