"""The sandbox answers concurrent calls as AWS does: never a 500 because two calls met.

moto's backends are plain dicts shared by the server's request threads: an
AttachRolePolicy that walks the managed policies while a CreatePolicy adds one
failed with "dictionary changed size during iteration" (found by make fuzz-e2e,
seed 1051, where the engine created a plan's roles and policies in parallel).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import boto3
import botocore.config
import pytest

pytestmark = pytest.mark.e2e

ROLE_TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"config.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}'
CONFIG_POLICY = "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole"
CALLS = 800


def iam_client(sandbox):
    # No retries: a 500 the client would quietly retry is still a 500 AWS would not give.
    return boto3.session.Session(
        aws_access_key_id="sandbox", aws_secret_access_key="sandbox-secret", region_name="us-east-1"
    ).client("iam", endpoint_url=sandbox.url, verify=sandbox.ca_bundle,
             config=botocore.config.Config(retries={"total_max_attempts": 1}))


def test_attaching_while_policies_are_created_never_fails(sandbox) -> None:
    clients = [iam_client(sandbox) for _ in range(8)]

    def create(i: int) -> None:
        clients[i % 4].create_policy(PolicyName=f"race-{i}", PolicyDocument=POLICY)

    def attach(i: int) -> None:
        role = f"race-role-{i}"
        iam = clients[4 + i % 4]
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=ROLE_TRUST)
        iam.attach_role_policy(RoleName=role, PolicyArn=CONFIG_POLICY)

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(call, i) for i in range(CALLS) for call in (create, attach)]
        errors = [repr(f.exception()) for f in futures if f.exception() is not None]
    assert errors == []
    iam = clients[0]
    attached = iam.list_entities_for_policy(PolicyArn=CONFIG_POLICY, EntityFilter="Role", MaxItems=1000)
    assert sorted(r["RoleName"] for r in attached["PolicyRoles"]) == sorted(f"race-role-{i}" for i in range(CALLS))
    created = iam.list_policies(Scope="Local", MaxItems=1000)["Policies"]
    assert sorted(p["PolicyName"] for p in created) == sorted(f"race-{i}" for i in range(CALLS))
