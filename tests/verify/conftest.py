"""Verify checks against an in-process moto.

- `aws`: moto with the sandbox gap fills, fake credentials, region eu-west-1;
- `plan`: examples/saas-startup.yaml (hosting, immutable backup, security
  monitoring by the external provider "nightwatch"), region eu-west-1;
  `example(name)` loads another plan from examples/;
- `deploy(provider, props, name=..., function=...)`: create a resource with
  its real provider and return the LiveResource the Pulumi state would hold;
- `verify_ctx(*resources)`: the VerifyContext of `plan` over those resources;
- `run(check, resource, ctx)`: the check's results as a list;
- `service_role(name, service)`: an IAM role `service` may assume, usable at
  once (the sandbox's IAM propagation delay is off for the test); its ARN.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from moto import mock_aws

from provision.schemas.model import Plan
from provision.stacks.providers.base import client
from provision.stacks.sandbox import gaps
from provision.stacks.verify.inventory import plain_outputs, region_of, resource_kind
from provision.stacks.verify.model import CheckResult, LiveResource, VerifyContext

REGION = "eu-west-1"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "saas-startup.yaml"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for var in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_REGION"):
        monkeypatch.delenv(var, raising=False)
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(var, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    gaps.install()
    with mock_aws():
        yield


def load_example(path: Path = EXAMPLE) -> Plan:
    from provision.validation.pipeline import load_plan

    plan, report = load_plan(path)
    assert plan is not None, report.findings
    return plan


@pytest.fixture(scope="session")
def plan() -> Plan:
    return load_example()


@pytest.fixture(scope="session")
def example() -> Callable[[str], Plan]:
    """`example("eu-fintech.yaml")`: another plan from examples/."""
    return lambda name: load_example(EXAMPLE.parent / name)


@pytest.fixture
def deploy(aws) -> Callable[..., LiveResource]:
    def make(provider: Any, props: dict[str, Any], *, name: str, function: str | None) -> LiveResource:
        created = provider.create(props)
        outputs = plain_outputs(created.outs)
        kind = resource_kind("pulumi-python:dynamic:Resource", outputs)
        return LiveResource(
            urn=f"urn:pulumi:prod::test::{name}", name=name, kind=kind, function=function,
            id=created.id, outputs=outputs, region=region_of(outputs, REGION),
        )  # fmt: skip

    return make


@pytest.fixture
def verify_ctx(plan: Plan) -> Callable[..., VerifyContext]:
    def make(*resources: LiveResource, of: Plan | None = None) -> VerifyContext:
        return VerifyContext(plan=of or plan, clients=client, resources=list(resources))

    return make


def run(check: Callable[..., Iterator[CheckResult]], resource: LiveResource, ctx: VerifyContext) -> list[CheckResult]:
    return list(check(resource, ctx))


@pytest.fixture
def results() -> Callable[..., list[CheckResult]]:
    return run


@pytest.fixture
def service_role(aws, monkeypatch: pytest.MonkeyPatch) -> Callable[[str, str], str]:
    import json

    import boto3

    from provision.stacks.sandbox import access

    monkeypatch.setattr(access.settings, "iam_propagation_seconds", 0)

    def make(name: str, service: str) -> str:
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}
        return boto3.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]

    return make
