"""moto for provider tests: fake credentials, a fixed region, the sandbox gap fills.

Use the `aws` fixture in any test that talks to AWS through boto3; the
`region` and `account_id` fixtures name where moto puts things. Add
`managed_policies` when a test attaches AWS managed IAM policies (loading
them costs seconds per test, so it is not the default).
"""

from __future__ import annotations

import os
from typing import Any, Callable, Iterator

import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID

from provision.stacks.sandbox import gaps

REGION = "eu-west-1"

FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    # No profile or credentials from the machine running the tests.
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    # moto's catalogue of public AMIs takes seconds to load per test and no provider uses it.
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}
# Anything that could point boto3 at a real account or endpoint.
UNSET_ENV = ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_REGION")


@pytest.fixture
def region() -> str:
    return REGION


@pytest.fixture
def account_id() -> str:
    return DEFAULT_ACCOUNT_ID


@pytest.fixture
def managed_policies(monkeypatch: pytest.MonkeyPatch) -> None:
    """AWS managed IAM policies (e.g. AWSBackupServiceRolePolicyForBackup) exist, as in the sandbox."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An in-process moto with every sandbox gap fill installed."""
    for var in UNSET_ENV:
        monkeypatch.delenv(var, raising=False)
    for var, value in FAKE_ENV.items():
        monkeypatch.setenv(var, value)
    gaps.install()
    with mock_aws():
        yield


@pytest.fixture
def refuse_first(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., list[float]]]:
    """`refuse_first(service, operation, code, message, times)`: the providers' client for
    `service` answers AWS's error `code` to the first `times` calls of `operation`
    (forever with times=None), as AWS does while IAM propagates a new role.

    Returns the list the providers' backoff waits are recorded in: nothing sleeps.
    """
    from botocore.awsrequest import AWSResponse

    from provision.stacks.providers import base

    waits: list[float] = []
    monkeypatch.setattr(base.time, "sleep", waits.append)
    installed: list[tuple[Any, str, Callable[..., Any]]] = []

    def install(service: str, operation: str, code: str, message: str, times: int | None, region: str | None = None):
        shared = base.client(service, region)
        left = [times]

        def refuse(**_: Any):
            if left[0] is not None and left[0] <= 0:
                return None
            if left[0] is not None:
                left[0] -= 1
            error = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": 400}}
            return AWSResponse("https://refused.invalid", 400, {}, None), error

        event = f"before-call.{shared.meta.service_model.service_id.hyphenize()}.{operation}"
        shared.meta.events.register(event, refuse)
        installed.append((shared, event, refuse))
        return waits

    yield install
    for shared, event, handler in installed:
        shared.meta.events.unregister(event, handler)


@pytest.fixture
def service_role(aws, monkeypatch: pytest.MonkeyPatch) -> Callable[[str, str], str]:
    """`service_role(name, service)`: an IAM role `service` (e.g. "backup.amazonaws.com") may
    assume, already propagated as far as the sandbox is concerned; returns its ARN.

    The sandbox's IAM propagation delay is off for the test, so a role created
    during the test is usable at once (tests of the wait use `refuse_first`).
    """
    import json

    import boto3

    from provision.stacks.sandbox import access

    monkeypatch.setattr(access.settings, "iam_propagation_seconds", 0)

    def make(name: str, service: str) -> str:
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}
        return boto3.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]

    return make


@pytest.fixture
def logs_key_policy(region: str, account_id: str) -> str:
    """The key policy AWS documents for a key encrypting the account's CloudWatch Logs log groups
    in `region` (the account administers the key; logs.<region>.amazonaws.com may use it)."""
    import json

    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "Allow CloudWatch Logs", "Effect": "Allow",
         "Principal": {"Service": f"logs.{region}.amazonaws.com"},
         "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
         "Resource": "*",
         "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{region}:{account_id}:log-group:*"}}},
    ]})
