"""Bucket-policy conditions in the sandbox: aws:SecureTransport is the scheme the request really used.

Over HTTPS (in-process moto answers https:// endpoints; the sandbox serves
HTTPS) a TLS-only bucket works; over plain HTTP (a moto server without TLS)
it refuses, as AWS does; unconditional denies still deny.
"""

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


def _bucket(client, request) -> str:
    bucket = request.node.name.replace("_", "-").replace("[", "-").replace("]", "")[:50]
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    return bucket


@pytest.fixture
def s3(gap_env, request):
    """Over HTTPS: in-process moto behind boto3's default https:// endpoint."""
    from moto import mock_aws

    gaps.install()
    with mock_aws():
        client = boto3.client("s3", region_name="eu-west-1")
        yield client, _bucket(client, request)


@pytest.fixture
def plain_http_s3(moto_endpoint, request):
    gaps.install()
    client = boto3.client("s3", endpoint_url=moto_endpoint, region_name="eu-west-1")
    assert moto_endpoint.startswith("http://")
    return client, _bucket(client, request)


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


def test_tls_only_policy_refuses_plain_http(plain_http_s3) -> None:
    s3, bucket = plain_http_s3
    s3.put_object(Bucket=bucket, Key="before", Body=b"x")
    s3.put_bucket_policy(Bucket=bucket, Policy=_policy(bucket, DENY_INSECURE))

    with pytest.raises(ClientError) as put:
        s3.put_object(Bucket=bucket, Key="partners/file.csv", Body=b"a,b\n")
    with pytest.raises(ClientError) as get:
        s3.get_object(Bucket=bucket, Key="before")

    assert put.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert get.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_plain_http_passes_without_a_tls_only_policy(plain_http_s3) -> None:
    s3, bucket = plain_http_s3
    s3.put_bucket_policy(Bucket=bucket, Policy=_policy(bucket, DENY_DELETES))
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"
