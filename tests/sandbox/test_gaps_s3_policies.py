"""Bucket-policy conditions in the sandbox: TLS-only buckets stay usable, real denies still deny."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from provision.stacks.sandbox import gaps

def _policy(bucket: str, *statements: dict) -> str:
    # moto keeps its state per process, across servers: each test has its own bucket.
    text = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    return text.replace(BUCKET, bucket)


BUCKET = "bucket-placeholder"
DENY_INSECURE = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
DENY_DELETES = {
    "Sid": "DenyDeletes",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:DeleteObject",
    "Resource": f"arn:aws:s3:::{BUCKET}/*",
}


@pytest.fixture
def s3(moto_endpoint, request):
    gaps.install()
    client = boto3.client("s3", endpoint_url=moto_endpoint, region_name="eu-west-1")
    bucket = request.node.name.replace("_", "-")[:50]
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    return client, bucket


def test_tls_only_policy_lets_sdk_calls_through(s3) -> None:
    s3, BUCKET = s3
    s3.put_bucket_policy(Bucket=BUCKET, Policy=_policy(BUCKET, DENY_INSECURE))

    s3.put_object(Bucket=BUCKET, Key="partners/payflow/file.csv", Body=b"a,b\n")
    assert s3.get_object(Bucket=BUCKET, Key="partners/payflow/file.csv")["Body"].read() == b"a,b\n"
    s3.delete_object(Bucket=BUCKET, Key="partners/payflow/file.csv")


def test_unconditional_deny_still_denies(s3) -> None:
    s3, BUCKET = s3
    s3.put_bucket_policy(Bucket=BUCKET, Policy=_policy(BUCKET, DENY_INSECURE, DENY_DELETES))
    s3.put_object(Bucket=BUCKET, Key="kept", Body=b"x")

    with pytest.raises(ClientError) as denied:
        s3.delete_object(Bucket=BUCKET, Key="kept")

    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
