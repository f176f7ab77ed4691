"""S3BucketProvider against moto: lifecycle, guard rails, drift, data-loss guard, errors."""

from __future__ import annotations

import json

import boto3
import pytest

from provision.stacks.providers.base import ProviderError
from provision.stacks.providers.s3_bucket import S3BucketProvider
from provision.stacks.providers.s3_policies import deny_insecure_transport, log_delivery_statement, policy_document

KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
ALL_BLOCKED = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


def _tls_only(bucket: str) -> str:
    return policy_document(deny_insecure_transport(bucket))


def _log_target_policy(bucket: str) -> str:
    return policy_document(log_delivery_statement(bucket, "123456789012", ["site-bucket"]))


def test_policy_helpers() -> None:
    assert json.loads(_tls_only("b")) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
    several = log_delivery_statement("logs", "123456789012", ["b", "a"], prefix="s3/")
    assert several["Resource"] == "arn:aws:s3:::logs/s3/*"
    assert several["Condition"]["ArnLike"] == {"aws:SourceArn": ["arn:aws:s3:::a", "arn:aws:s3:::b"]}


def _props(**overrides):
    props = {
        "bucket_name": "site-bucket",
        "region": None,
        "kms_key_arn": KEY_ARN,
        "versioning": True,
        "block_public_access": True,
        "access_log_bucket": None,
        "access_log_prefix": None,
        "lifecycle_expiration_days": None,
        "object_ownership": "BucketOwnerEnforced",
        "bucket_policy": _tls_only("site-bucket"),
        "force_destroy": False,
        "tags": {"provision:plan": "acme"},
    }
    return {**props, **overrides}


def _log_bucket(provider: S3BucketProvider) -> str:
    provider.create(
        _props(
            bucket_name="log-bucket", kms_key_arn=None, versioning=False, bucket_policy=_log_target_policy("log-bucket")
        )
    )
    return "log-bucket"


@pytest.fixture
def s3(aws, region):
    return boto3.client("s3", region_name=region)


def test_create_applies_every_guard_rail(s3, region) -> None:
    provider = S3BucketProvider()
    _log_bucket(provider)
    props = _props(access_log_bucket="log-bucket", lifecycle_expiration_days=30)

    result = provider.create(props)

    assert result.id == "site-bucket"
    assert result.outs["arn"] == "arn:aws:s3:::site-bucket"
    assert result.outs["regional_domain_name"] == f"site-bucket.s3.{region}.amazonaws.com"
    assert s3.get_bucket_location(Bucket="site-bucket")["LocationConstraint"] == region
    rule = s3.get_bucket_encryption(Bucket="site-bucket")["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule == {
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY_ARN},
        "BucketKeyEnabled": True,
    }
    assert s3.get_public_access_block(Bucket="site-bucket")["PublicAccessBlockConfiguration"] == ALL_BLOCKED
    assert s3.get_bucket_ownership_controls(Bucket="site-bucket")["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "BucketOwnerEnforced"}
    ]
    assert s3.get_bucket_versioning(Bucket="site-bucket")["Status"] == "Enabled"
    assert s3.get_bucket_logging(Bucket="site-bucket")["LoggingEnabled"] == {
        "TargetBucket": "log-bucket",
        "TargetPrefix": "site-bucket/",
    }
    [expiry] = s3.get_bucket_lifecycle_configuration(Bucket="site-bucket")["Rules"]
    assert expiry["Expiration"] == {"Days": 30}
    assert expiry["NoncurrentVersionExpiration"] == {"NoncurrentDays": 30}
    assert json.loads(s3.get_bucket_policy(Bucket="site-bucket")["Policy"]) == json.loads(_tls_only("site-bucket"))
    assert s3.get_bucket_tagging(Bucket="site-bucket")["TagSet"] == [{"Key": "provision:plan", "Value": "acme"}]


def test_create_without_key_uses_s3_managed_encryption_and_still_blocks_public_access(s3) -> None:
    S3BucketProvider().create(_props(kms_key_arn=None, versioning=False, bucket_policy=None, tags={}))

    rule = s3.get_bucket_encryption(Bucket="site-bucket")["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert s3.get_public_access_block(Bucket="site-bucket")["PublicAccessBlockConfiguration"] == ALL_BLOCKED
    assert "Status" not in s3.get_bucket_versioning(Bucket="site-bucket")


def test_read_matches_what_create_wrote(s3) -> None:
    provider = S3BucketProvider()
    _log_bucket(provider)
    created = provider.create(_props(access_log_bucket="log-bucket", lifecycle_expiration_days=30))

    read = provider.read("site-bucket", created.outs)

    assert read.id == "site-bucket"
    assert read.outs == created.outs


def test_read_reflects_drift(s3) -> None:
    provider = S3BucketProvider()
    created = provider.create(_props())
    s3.delete_public_access_block(Bucket="site-bucket")
    s3.put_bucket_encryption(
        Bucket="site-bucket",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3.put_bucket_versioning(Bucket="site-bucket", VersioningConfiguration={"Status": "Suspended"})
    s3.put_bucket_tagging(Bucket="site-bucket", Tagging={"TagSet": [{"Key": "owner", "Value": "someone"}]})
    s3.delete_bucket_policy(Bucket="site-bucket")

    outs = provider.read("site-bucket", created.outs).outs

    assert outs["block_public_access"] is False
    assert outs["kms_key_arn"] is None
    assert outs["versioning"] is False
    assert outs["tags"] == {"owner": "someone"}
    assert outs["bucket_policy"] is None
    assert provider.diff("site-bucket", outs, _props()).changes


def test_read_reports_a_changed_policy_and_ignores_reformatting(s3) -> None:
    provider = S3BucketProvider()
    created = provider.create(_props())
    # Same document, different formatting: not drift.
    s3.put_bucket_policy(Bucket="site-bucket", Policy=json.dumps(json.loads(_tls_only("site-bucket")), indent=4))
    assert provider.read("site-bucket", created.outs).outs["bucket_policy"] == _props()["bucket_policy"]

    s3.put_bucket_policy(Bucket="site-bucket", Policy=_tls_only("other-bucket"))
    assert json.loads(provider.read("site-bucket", created.outs).outs["bucket_policy"]) == json.loads(
        _tls_only("other-bucket")
    )


def test_read_returns_none_when_the_bucket_is_gone(s3) -> None:
    assert S3BucketProvider().read("site-bucket", _props()) is None


@pytest.mark.parametrize(
    ("change", "replaces"),
    [
        ({"bucket_name": "renamed"}, ["bucket_name"]),
        ({"region": "eu-central-1"}, ["region"]),
        ({"versioning": False}, []),
        ({"kms_key_arn": None}, []),
        ({"tags": {}}, []),
        ({"force_destroy": True}, []),
    ],
)
def test_diff_replaces_only_for_name_and_region(change, replaces) -> None:
    olds = {**_props(), "arn": "arn:aws:s3:::site-bucket", "regional_domain_name": "x"}

    diff = S3BucketProvider().diff("site-bucket", olds, _props(**change))

    assert diff.changes is True
    assert diff.replaces == replaces
    # Names are global: a bucket moved to another region keeps its name, so the old one goes first;
    # a renamed bucket is made before the old one goes.
    assert diff.delete_before_replace is (replaces == ["region"])


def test_diff_without_changes() -> None:
    olds = {**_props(), "arn": "arn:aws:s3:::site-bucket", "regional_domain_name": "x"}
    assert S3BucketProvider().diff("site-bucket", olds, _props()).changes is False


def test_update_changes_settings_in_place(s3) -> None:
    provider = S3BucketProvider()
    _log_bucket(provider)
    olds = provider.create(_props(access_log_bucket="log-bucket", lifecycle_expiration_days=30)).outs
    news = _props(kms_key_arn=None, versioning=False, bucket_policy=None, tags={"team": "web"})

    result = provider.update("site-bucket", olds, news)

    assert result.outs["arn"] == "arn:aws:s3:::site-bucket"
    rule = s3.get_bucket_encryption(Bucket="site-bucket")["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert s3.get_bucket_versioning(Bucket="site-bucket")["Status"] == "Suspended"
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket="site-bucket")
    with pytest.raises(s3.exceptions.ClientError, match="NoSuchLifecycleConfiguration"):
        s3.get_bucket_lifecycle_configuration(Bucket="site-bucket")
    with pytest.raises(s3.exceptions.ClientError, match="NoSuchBucketPolicy"):
        s3.get_bucket_policy(Bucket="site-bucket")
    assert s3.get_bucket_tagging(Bucket="site-bucket")["TagSet"] == [{"Key": "team", "Value": "web"}]
    assert provider.read("site-bucket", result.outs).outs == result.outs


def test_update_repairs_a_removed_public_access_block(s3) -> None:
    provider = S3BucketProvider()
    olds = provider.create(_props()).outs
    s3.delete_public_access_block(Bucket="site-bucket")
    drifted = provider.read("site-bucket", olds).outs

    provider.update("site-bucket", drifted, _props())

    assert s3.get_public_access_block(Bucket="site-bucket")["PublicAccessBlockConfiguration"] == ALL_BLOCKED


def test_delete_removes_an_empty_bucket_and_tolerates_it_being_gone(s3) -> None:
    provider = S3BucketProvider()
    provider.create(_props())

    provider.delete("site-bucket", _props())
    provider.delete("site-bucket", _props())

    assert "site-bucket" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_delete_refuses_to_lose_data_unless_forced(s3) -> None:
    provider = S3BucketProvider()
    provider.create(_props(bucket_policy=None))
    s3.put_object(Bucket="site-bucket", Key="index.html", Body=b"v1")
    s3.put_object(Bucket="site-bucket", Key="index.html", Body=b"v2")
    s3.put_object(Bucket="site-bucket", Key="old.html", Body=b"x")
    s3.delete_object(Bucket="site-bucket", Key="old.html")
    # A policy that (in moto, whose conditions never match) denies even the owner's deletes.
    s3.put_bucket_policy(Bucket="site-bucket", Policy=_tls_only("site-bucket"))

    with pytest.raises(ProviderError) as refused:
        provider.delete("site-bucket", _props())
    assert str(refused.value) == (
        "S3 bucket site-bucket still holds 4 object(s)/version(s) that would be lost; "
        "refusing to delete it. Empty it first, or delete them with it: `provision destroy --force-delete-data`."
    )

    provider.delete("site-bucket", _props(force_destroy=True))
    assert provider.read("site-bucket", _props()) is None


def test_forced_delete_reports_objects_that_will_not_go(s3, region) -> None:
    s3.create_bucket(
        Bucket="locked-bucket",
        CreateBucketConfiguration={"LocationConstraint": region},
        ObjectLockEnabledForBucket=True,
    )
    s3.put_object(Bucket="locked-bucket", Key="evidence.log", Body=b"x", ObjectLockLegalHoldStatus="ON")

    with pytest.raises(ProviderError) as failed:
        S3BucketProvider().delete("locked-bucket", _props(bucket_name="locked-bucket", force_destroy=True))

    assert str(failed.value) == (
        "S3 bucket locked-bucket: DeleteObjects: 1 object(s) could not be deleted, "
        "e.g. evidence.log: AccessDenied: Access Denied because object protected by object lock."
    )


def test_create_with_a_name_taken_by_another_account_says_so(s3, monkeypatch) -> None:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "999999999999")
    S3BucketProvider().create(_props(bucket_policy=None))
    monkeypatch.delenv("MOTO_ACCOUNT_ID")

    with pytest.raises(ProviderError, match=r"^S3 bucket site-bucket: CreateBucket: BucketAlreadyExists: "):
        S3BucketProvider().create(_props())


OURS = {"provision:plan": "acme", "provision:function": "web", "provision:environment": "prod"}


def test_create_adopts_a_bucket_a_killed_run_left_tagged_as_this_resource(s3, region) -> None:
    # What a run killed after CreateBucket and the tags leaves: the bucket, nothing else configured.
    s3.create_bucket(Bucket="site-bucket", CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_bucket_tagging(Bucket="site-bucket", Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in OURS.items()]})

    result = S3BucketProvider().create(_props(tags=OURS))

    assert result.id == "site-bucket"
    assert s3.get_public_access_block(Bucket="site-bucket")["PublicAccessBlockConfiguration"] == ALL_BLOCKED
    assert s3.get_bucket_versioning(Bucket="site-bucket")["Status"] == "Enabled"
    assert json.loads(s3.get_bucket_policy(Bucket="site-bucket")["Policy"]) == json.loads(_tls_only("site-bucket"))


@pytest.mark.parametrize(
    "tags",
    [None, {"provision:plan": "acme"}, {**OURS, "provision:environment": "dev"}],
    ids=["untagged", "some-tags", "another-environment"],
)
def test_create_refuses_an_existing_bucket_not_tagged_as_this_resource(s3, region, tags) -> None:
    s3.create_bucket(Bucket="site-bucket", CreateBucketConfiguration={"LocationConstraint": region})
    if tags:
        s3.put_bucket_tagging(Bucket="site-bucket", Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]})

    with pytest.raises(ProviderError) as raised:
        S3BucketProvider().create(_props(tags=OURS))

    assert str(raised.value).startswith("S3 bucket site-bucket: CreateBucket: BucketAlreadyOwnedByYou: ")
    assert str(raised.value).endswith(
        "It is not tagged as this plan's, so provision will not take it over: delete it (after checking it holds "
        "nothing you need) or change the plan so the name differs."
    )
    assert "Status" not in s3.get_bucket_versioning(Bucket="site-bucket")  # left exactly as it was


def test_failed_create_leaves_no_bucket_behind(s3) -> None:
    with pytest.raises(
        ProviderError, match=r"^S3 bucket site-bucket: PutBucketLogging: InvalidTargetBucketForLogging: "
    ):
        S3BucketProvider().create(_props(access_log_bucket="missing-log-bucket"))

    assert S3BucketProvider().read("site-bucket", _props()) is None
