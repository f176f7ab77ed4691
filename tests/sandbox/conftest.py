"""Fixtures for the gap-fill tests.

- `gap_env`: fake AWS credentials, region eu-west-1, no endpoint override.
- `moto_endpoint`: moto's app on loopback in this process (so the gap fills installed
  here serve it), behind the sandbox's own HTTP server; yields its URL.
- `service_role(iam, name, service, age=...)`: a role trusted by `service`,
  created `age` seconds ago as far as IAM propagation is concerned.
- `propagation`: sets the sandbox's IAM propagation delay for one test.
"""

from __future__ import annotations

from typing import Iterator

import datetime as dt
import json

import pytest

from provision.stacks.sandbox import access
from tests.sandboxes import served_in_process

REGION = "eu-west-1"


@pytest.fixture
def gap_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


@pytest.fixture
def moto_endpoint(gap_env) -> Iterator[str]:
    with served_in_process() as url:
        yield url


def make_service_role(iam, name: str, service: str, age: float = 3600.0) -> str:
    """A role `service` may assume, which IAM created `age` seconds ago; returns its ARN."""
    from moto.iam.models import iam_backends

    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    account = role["Arn"].split(":")[4]
    moto_role = next(r for r in iam_backends[account]["global"].roles.values() if r.arn == role["Arn"])
    moto_role.create_date = moto_role.create_date - dt.timedelta(seconds=age)
    return role["Arn"]


@pytest.fixture
def service_role():
    return make_service_role


@pytest.fixture
def propagation(monkeypatch: pytest.MonkeyPatch):
    """Set the IAM propagation delay (seconds) for this test: `propagation(10)`."""

    def set_delay(seconds: float) -> None:
        monkeypatch.setattr(access.settings, "iam_propagation_seconds", seconds)

    return set_delay
