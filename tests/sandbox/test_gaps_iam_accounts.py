"""IAM on the sandbox: a request's access key finds its account without making IAM backends."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.iam.models import iam_backends

from provision.stacks.sandbox.gaps import iam_accounts

VENDOR_ACCOUNT = "210987654321"


@pytest.fixture
def aws(gap_env):
    iam_accounts.install()
    with mock_aws():
        yield


def test_each_key_finds_its_account_and_only_the_partition_used_gets_a_backend(aws) -> None:
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_user(UserName="operator")
    key = iam.create_access_key(UserName="operator")["AccessKey"]
    as_operator = boto3.client(
        "sts", region_name="us-east-1", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )
    assumed = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=f"arn:aws:iam::{VENDOR_ACCOUNT}:role/vendor", RoleSessionName="audit"
    )["Credentials"]
    as_vendor = boto3.client(
        "sts", region_name="us-east-1", aws_access_key_id=assumed["AccessKeyId"],
        aws_secret_access_key=assumed["SecretAccessKey"], aws_session_token=assumed["SessionToken"],
    )

    assert as_operator.get_caller_identity()["Arn"] == f"arn:aws:iam::{DEFAULT_ACCOUNT_ID}:user/operator"
    assert as_vendor.get_caller_identity()["Account"] == VENDOR_ACCOUNT
    # moto made all eight partitions' backends (1,500 managed policies each) to answer that.
    assert {account: sorted(iam_backends[account].keys()) for account in iam_backends} == {
        DEFAULT_ACCOUNT_ID: ["aws"],
        VENDOR_ACCOUNT: ["aws"],
    }
