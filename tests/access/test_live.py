"""Live access read from IAM (moto) against planned access: equal when deployed as planned,
and each out-of-band change named. The roles are created here with boto3 from
literal documents, independently of the stacks' role provider."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterator

import boto3
import pytest
from moto import mock_aws

from provision.stacks.access.live import differences, live_roles
from provision.stacks.access.planned import vendor_roles
from provision.validation.pipeline import load_plan

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"  # moto's
BUCKET = "carebridge-drop-zone"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k1"
OUTPUTS = {
    "member-site": {}, "phi-backup": {}, "soc": {},
    "claims-exchange": {"bucket_arn": f"arn:aws:s3:::{BUCKET}", "bucket_name": BUCKET, "kms_key_arn": KEY,
                        "partner_prefixes": {"claimsco": "partners/claimsco/"}, "server_id": "s-1"},
}  # fmt: skip


@pytest.fixture
def iam(monkeypatch: pytest.MonkeyPatch) -> Iterator:
    for var in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(var, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    with mock_aws():
        yield boto3.client("iam")


def partner_role():
    plan, _ = load_plan(ROOT / "examples" / "us-healthcare.yaml")
    roles = vendor_roles(plan, "claimsco", ACCOUNT, OUTPUTS)
    return roles.__class__(roles.vendor, roles.functions, tuple(r for r in roles.roles if r.kind == "partner"))


def partner_policy(prefix: str) -> dict:
    """The partner policy as the design says it must be, written out by hand."""
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": [f"arn:aws:s3:::{BUCKET}/{prefix}*"]},
        {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [f"arn:aws:s3:::{BUCKET}"],
         "Condition": {"StringLike": {"s3:prefix": [prefix, f"{prefix}*"]}}},
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], "Resource": [KEY],
         "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"},
                       "StringLike": {"kms:EncryptionContext:aws:s3:arn": f"arn:aws:s3:::{BUCKET}*"}}},
    ]}  # fmt: skip


def boundary() -> dict:
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "s3:GetObject",
                                       "s3:ListBucket", "s3:PutObject"],
         "Resource": [KEY, f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/partners/claimsco/*"]},
        {"Effect": "Deny", "Action": ["s3:DeleteBucket"], "Resource": "*"},
    ]}  # fmt: skip


def create(iam, name: str, policy: dict, bound: dict | None, session: int = 3600) -> None:
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
                    MaxSessionDuration=session)  # fmt: skip
    iam.put_role_policy(RoleName=name, PolicyName="drop-zone", PolicyDocument=json.dumps(policy))
    if bound is not None:
        arn = iam.create_policy(PolicyName=f"{name}-boundary", PolicyDocument=json.dumps(bound))["Policy"]["Arn"]
        iam.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=arn)


def diffs(iam) -> list[str]:
    planned = partner_role()
    live, missing = live_roles(planned, iam)
    return differences(planned, live, missing)


def test_a_role_deployed_as_planned_has_no_difference(iam) -> None:
    create(iam, partner_role().roles[0].name, partner_policy("partners/claimsco/"), boundary())
    assert diffs(iam) == []


def test_a_missing_role_is_a_difference(iam) -> None:
    name = partner_role().roles[0].name
    assert diffs(iam) == [f"claimsco: role {name} (partner) does not exist"]


def test_a_role_holding_another_partners_prefix_is_caught(iam) -> None:
    name = partner_role().roles[0].name
    create(iam, name, partner_policy(""), boundary() | {"Statement": [
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "s3:GetObject",
                                       "s3:ListBucket", "s3:PutObject"],
         "Resource": [KEY, f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"]}]})  # fmt: skip
    found = diffs(iam)
    where = f"claimsco: role {name}"
    assert f"{where}: grants s3:GetObject on arn:aws:s3:::{BUCKET}/* (not planned)" in found
    assert f"{where}: grants s3:PutObject on arn:aws:s3:::{BUCKET}/* (not planned)" in found
    assert f"{where}: lacks s3:GetObject on arn:aws:s3:::{BUCKET}/partners/claimsco/* (planned)" in found


def test_an_inline_policy_widened_out_of_band_is_caught_even_when_the_boundary_caps_it(iam) -> None:
    name = partner_role().roles[0].name
    create(iam, name, partner_policy("partners/claimsco/"), boundary())
    widened = partner_policy("partners/claimsco/")
    widened["Statement"].append({"Effect": "Allow", "Action": "s3:*", "Resource": f"arn:aws:s3:::{BUCKET}/*"})
    iam.put_role_policy(RoleName=name, PolicyName="drop-zone", PolicyDocument=json.dumps(widened))
    found = diffs(iam)
    where = f"claimsco: role {name}"
    # The boundary (this partner's prefix only) caps every widened grant today; each is still reported.
    assert not [d for d in found if ": grants " in d]
    for action in ("s3:GetObject", "s3:DeleteObject", "s3:PutObjectAcl"):
        assert f"{where}: its policies allow {action} on arn:aws:s3:::{BUCKET}/*, capped by the boundary (not planned)" in found


def test_session_and_boundary_changes_are_differences(iam) -> None:
    name = partner_role().roles[0].name
    create(iam, name, partner_policy("partners/claimsco/"), None, session=43200)
    found = diffs(iam)
    assert f"claimsco: role {name}: sessions of 43200s, planned 3600s" in found
    assert f"claimsco: role {name}: permissions boundary missing" in found
