"""moto for provider tests: fake credentials, a fixed region, the sandbox gap fills.

Use the `aws` fixture in any test that talks to AWS through boto3; the
`region` and `account_id` fixtures name where moto puts things. Add
`managed_policies` when a test attaches AWS managed IAM policies (loading
them costs seconds per test, so it is not the default).
"""

from __future__ import annotations

import os
from typing import Iterator

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
