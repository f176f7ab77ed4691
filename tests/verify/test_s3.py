"""S3 bucket checks: a bucket made the way the hosting program makes it passes; each weakening fails, naming the bucket."""

from __future__ import annotations

import json

import pytest

from provision.stacks.functions.hosting import log_bucket_policy
from provision.stacks.providers.base import client
from provision.stacks.providers.kms_key import KmsKeyProvider
from provision.stacks.providers.s3_bucket import S3BucketProvider
from provision.stacks.providers.s3_policies import deny_insecure_transport, policy_document
from provision.stacks.verify.checks import s3

TAGS = {"provision:plan": "brightdesk-prod", "provision:function": "web", "provision:provider": "aws", "provision:environment": "prod"}
SITE, LOGS = "brightdesk-site", "brightdesk-logs"
SITE_ARN, LOGS_ARN = f"arn:aws:s3:::{SITE}", f"arn:aws:s3:::{LOGS}"


@pytest.fixture
def buckets(deploy):
    """(key, site bucket, log bucket) as the hosting program configures them."""
    key = deploy(KmsKeyProvider(), {"description": "site", "enable_key_rotation": True, "tags": TAGS}, name="web-key", function="web")
    logs = deploy(
        S3BucketProvider(),
        {"bucket_name": LOGS, "bucket_policy": log_bucket_policy(LOGS, "123456789012", SITE), "tags": TAGS},
        name="web-logs",
        function="web",
    )
    site = deploy(
        S3BucketProvider(),
        {
            "bucket_name": SITE,
            "kms_key_arn": key.arn,
            "versioning": True,
            "access_log_bucket": LOGS,
            "bucket_policy": policy_document(deny_insecure_transport(SITE)),
            "tags": TAGS,
        },
        name="web-site",
        function="web",
    )
    return key, site, logs


def test_compliant_buckets_pass_every_check(buckets, verify_ctx, results):
    key, site, logs = buckets
    ctx = verify_ctx(key, site, logs)
    got = {(r.check, r.resource, r.passed, r.detail) for c in (s3.encryption, s3.public_access_block, s3.versioning, s3.tls_only) for b in (site, logs) for r in results(c, b, ctx)}
    assert got == {
        ("s3.encryption", SITE_ARN, True, f"aws:kms with key {key.arn}"),
        ("s3.encryption", LOGS_ARN, True, "SSE-S3 (AES256): access-log target bucket, which S3 log delivery can only write with SSE-S3"),
        ("s3.public-access-block", SITE_ARN, True, "all four public access block settings on"),
        ("s3.public-access-block", LOGS_ARN, True, "all four public access block settings on"),
        ("s3.versioning", SITE_ARN, True, "versioning enabled"),
        ("s3.tls-only", SITE_ARN, True, "bucket policy denies requests without TLS (aws:SecureTransport false)"),
        ("s3.tls-only", LOGS_ARN, True, "bucket policy denies requests without TLS (aws:SecureTransport false)"),
    }  # fmt: skip


def _weaken_encryption_to_sse_s3(bucket: str) -> None:
    rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
    client("s3").put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [rule]})


def _other_key(bucket: str) -> str:
    other = client("kms").create_key()["KeyMetadata"]["Arn"]
    rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": other}}
    client("s3").put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [rule]})
    return other


def _one_setting_off(bucket: str) -> None:
    settings = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False, "RestrictPublicBuckets": True}
    client("s3").put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=settings)


def _policy_without_tls_deny(bucket: str) -> None:
    allow = {"Sid": "Read", "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}
    client("s3").put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [allow]}))


def _tls_deny_on_objects_only(bucket: str) -> None:
    statement = {**deny_insecure_transport(bucket), "Resource": f"arn:aws:s3:::{bucket}/*"}
    client("s3").put_bucket_policy(Bucket=bucket, Policy=policy_document(statement))


@pytest.mark.parametrize(
    ("check", "weaken", "detail"),
    [
        (s3.encryption, lambda b: client("s3").delete_bucket_encryption(Bucket=b), "no default encryption configured"),
        (s3.encryption, _weaken_encryption_to_sse_s3, "default encryption is SSE-S3 (AES256), not aws:kms with a key"),
        (s3.public_access_block, lambda b: client("s3").delete_public_access_block(Bucket=b), "no public access block configured"),
        (s3.public_access_block, _one_setting_off, "public access block settings off: BlockPublicPolicy"),
        (s3.versioning, lambda b: client("s3").put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Suspended"}),
         "versioning is Suspended, the program enables it"),
        (s3.tls_only, lambda b: client("s3").delete_bucket_policy(Bucket=b), "no bucket policy, so plain-HTTP requests are not denied"),
        (s3.tls_only, _policy_without_tls_deny, "bucket policy has no statement denying requests without TLS on the bucket and its objects"),
        (s3.tls_only, _tls_deny_on_objects_only, "bucket policy has no statement denying requests without TLS on the bucket and its objects"),
    ],
    ids=["no-encryption", "sse-s3", "no-block", "one-setting-off", "versioning-suspended", "no-policy", "no-tls-deny", "deny-objects-only"],
)  # fmt: skip
def test_weakened_site_bucket_fails_naming_it(buckets, verify_ctx, results, check, weaken, detail):
    key, site, logs = buckets
    weaken(SITE)
    [result] = results(check, site, verify_ctx(key, site, logs))
    assert (result.check, result.resource, result.passed, result.detail) == (check.check_id, SITE_ARN, False, detail)


def test_a_key_other_than_the_programs_fails(buckets, verify_ctx, results):
    key, site, logs = buckets
    other = _other_key(SITE)
    [result] = results(s3.encryption, site, verify_ctx(key, site, logs))
    assert (result.passed, result.detail) == (False, f"aws:kms with key {other}, not the plan's key {key.arn}")


def test_sse_s3_is_accepted_only_on_access_log_targets(buckets, verify_ctx, results):
    key, site, logs = buckets
    # Without the site bucket in the inventory, nothing sends logs to the log bucket.
    [result] = results(s3.encryption, logs, verify_ctx(key, logs))
    assert (result.resource, result.passed, result.detail) == (LOGS_ARN, False, "default encryption is SSE-S3 (AES256), not aws:kms with a key")


def test_versioning_is_not_checked_where_the_program_does_not_version(buckets, verify_ctx, results):
    key, site, logs = buckets
    assert results(s3.versioning, logs, verify_ctx(key, site, logs)) == []


def test_a_bucket_deleted_outside_provision_fails_every_check(buckets, verify_ctx, results):
    key, site, logs = buckets
    S3BucketProvider().delete(LOGS, {"force_destroy": True})
    ctx = verify_ctx(key, site, logs)
    for check in (s3.encryption, s3.public_access_block, s3.tls_only):
        [result] = results(check, logs, ctx)
        assert (result.resource, result.passed, result.detail) == (LOGS_ARN, False, "not found in AWS (NoSuchBucket): deleted outside provision?")


@pytest.mark.parametrize(
    ("statement", "denies"),
    [
        (deny_insecure_transport("b"), True),
        ({**deny_insecure_transport("b"), "Principal": {"AWS": "*"}, "Action": "*"}, True),
        ({**deny_insecure_transport("b"), "Condition": {"Bool": {"aws:SecureTransport": False}}}, True),
        ({**deny_insecure_transport("b"), "Effect": "Allow"}, False),
        ({**deny_insecure_transport("b"), "Principal": {"AWS": "arn:aws:iam::111122223333:root"}}, False),
        ({**deny_insecure_transport("b"), "Action": "s3:GetObject"}, False),
        ({**deny_insecure_transport("b"), "Condition": {"Bool": {"aws:SecureTransport": "true"}}}, False),
        ({**deny_insecure_transport("b"), "Resource": "arn:aws:s3:::b"}, False),
    ],
)
def test_what_counts_as_denying_plain_http(statement, denies):
    assert s3.denies_plain_http(statement, "b") is denies
