"""Vendor access role checks against moto, and the policy-document rules behind them."""

from __future__ import annotations

import json

import pytest

from provision.stacks.functions.iam_policies import document, guard_rail_boundary, statement
from provision.stacks.providers.base import client
from provision.stacks.providers.iam_role import IamRoleProvider, trust_policy
from provision.stacks.verify.checks import vendor_roles
from provision.stacks.verify.policy_documents import is_read_action, privilege_problems, trust_problems

VENDOR_ACCOUNT = "210987654321"  # nightwatch in saas-startup
EXTERNAL_ID = "s3cr3t-external-id-value"
ROLE = "brightdesk-prod-vendor-nightwatch"
VENDOR_CHECKS = (vendor_roles.vendor_trust, vendor_roles.session_duration, vendor_roles.permissions_boundary, vendor_roles.least_privilege)
OPERATE = [
    statement("ReadTrail", ["cloudtrail:GetTrailStatus"], ["arn:aws:cloudtrail:eu-west-1:123456789012:trail/t"]),
    statement("LookupEvents", ["cloudtrail:LookupEvents"], "*"),
]


def _doc(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture
def role(deploy):
    props = {
        "role_name": ROLE,
        "assume_role_policy": trust_policy({"AWS": f"arn:aws:iam::{VENDOR_ACCOUNT}:root"}, external_id=EXTERNAL_ID),
        "max_session_duration": 3600,
        "permissions_boundary": guard_rail_boundary(OPERATE),
        "inline_policies": {"operate-soc": document(OPERATE)},
        "managed_policy_arns": [],
    }
    return deploy(IamRoleProvider(), props, name="vendor-access-nightwatch", function=None)


def outcomes(results, resource, ctx):
    return [(r.check, r.resource, r.passed, r.detail) for c in VENDOR_CHECKS for r in results(c, resource, ctx)]


def test_a_least_privilege_vendor_role_passes(role, verify_ctx, results):
    assert outcomes(results, role, verify_ctx(role)) == [
        ("iam.vendor-trust", role.arn, True, f"trusted only by nightwatch's account {VENDOR_ACCOUNT}, with sts:ExternalId required"),
        ("iam.session-duration", role.arn, True, "MaxSessionDuration 3600s"),
        ("iam.permissions-boundary", role.arn, True, f"permissions boundary arn:aws:iam::123456789012:policy/{ROLE}-boundary"),
        ("iam.least-privilege", role.arn, True, "1 policy, no wildcard actions or writes on every resource"),
    ]


def _trust_without_external_id():
    client("iam").update_assume_role_policy(RoleName=ROLE, PolicyDocument=trust_policy({"AWS": f"arn:aws:iam::{VENDOR_ACCOUNT}:root"}))


def _trust_another_account_too():
    principal = {"AWS": [f"arn:aws:iam::{VENDOR_ACCOUNT}:root", "arn:aws:iam::999988887777:root"]}
    client("iam").update_assume_role_policy(RoleName=ROLE, PolicyDocument=trust_policy(principal, external_id=EXTERNAL_ID))


def _inline(*statements):
    client("iam").put_role_policy(RoleName=ROLE, PolicyName="extra", PolicyDocument=_doc(*statements))


def _attached_wildcard():
    iam = client("iam")
    arn = iam.create_policy(PolicyName="broad", PolicyDocument=_doc({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::x"}))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=ROLE, PolicyArn=arn)


@pytest.mark.parametrize(
    ("weaken", "check", "detail"),
    [
        (_trust_without_external_id, "iam.vendor-trust", "#1: does not require sts:ExternalId (StringEquals)"),
        (_trust_another_account_too, "iam.vendor-trust", f"#1: trusts arn:aws:iam::999988887777:root, not only account {VENDOR_ACCOUNT}"),
        (lambda: client("iam").update_role(RoleName=ROLE, MaxSessionDuration=43200), "iam.session-duration",
         "MaxSessionDuration 43200s exceeds 3600s"),
        (lambda: client("iam").delete_role_permissions_boundary(RoleName=ROLE), "iam.permissions-boundary",
         "no permissions boundary attached"),
        (lambda: _inline({"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"}), "iam.least-privilege",
         "inline extra: All: wildcard action '*'"),
        (lambda: _inline({"Sid": "Reboot", "Effect": "Allow", "Action": ["ec2:DescribeInstances", "ec2:RebootInstances"], "Resource": "*"}),
         "iam.least-privilege", "inline extra: Reboot: write action ec2:RebootInstances on every resource"),
        (_attached_wildcard, "iam.least-privilege", "attached arn:aws:iam::123456789012:policy/broad: #1: wildcard action 's3:*'"),
    ],
    ids=["no-external-id", "another-account", "long-sessions", "no-boundary", "star-action", "write-on-star", "attached-service-star"],
)  # fmt: skip
def test_a_weakened_vendor_role_fails_naming_it(role, verify_ctx, results, weaken, check, detail):
    weaken()
    got = outcomes(results, role, verify_ctx(role))
    assert [(c, arn, d) for c, arn, passed, d in got if not passed] == [(check, role.arn, detail)]
    assert not any(EXTERNAL_ID in d for *_, d in got), "the ExternalId must never be shown"


def test_service_roles_are_not_judged_as_vendor_roles(deploy, verify_ctx, results):
    service = deploy(
        IamRoleProvider(),
        {"role_name": "backup-role", "assume_role_policy": trust_policy({"Service": "backup.amazonaws.com"}), "max_session_duration": 3600},
        name="backups-role",
        function="backups",
    )
    assert outcomes(results, service, verify_ctx(service)) == []


@pytest.mark.parametrize(
    ("action", "read"),
    [("s3:GetObject", True), ("ec2:Describe*", True), ("cloudtrail:LookupEvents", True), ("logs:FilterLogEvents", True),
     ("s3:PutObject", False), ("ec2:RebootInstances", False), ("s3:*Object", False), ("*", False), ("iam:PassRole", False)],
)  # fmt: skip
def test_what_counts_as_a_read_action(action, read):
    assert is_read_action(action) is read


@pytest.mark.parametrize(
    ("stmt", "problems"),
    [
        ({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, []),
        ({"Effect": "Deny", "Action": "*", "Resource": "*"}, []),
        ({"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"}, []),
        ({"Sid": "S", "Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::b"}, ["S: NotAction allows every action but the listed ones"]),
        ({"Sid": "S", "Effect": "Allow", "Action": "s3:PutObject", "NotResource": "arn:aws:s3:::b"}, ["S: write action s3:PutObject on every resource"]),
        ({"Sid": "S", "Effect": "Allow", "Action": ["kms:*", "s3:GetObject"], "Resource": "*"}, ["S: wildcard action 'kms:*'"]),
        ({"Sid": "S", "Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::*"}, ["S: action pattern s3:Get* on every resource"]),
        ({"Sid": "S", "Effect": "Allow", "Action": "s3:PutObject", "Resource": ["arn:aws:s3:::b/*", "arn:aws:s3:::*"]}, ["S: write action s3:PutObject on every resource"]),
        ({"Sid": "S", "Effect": "Allow", "Action": "ec2:Describe*", "Resource": "arn:aws:ec2:eu-west-1:123456789012:vpc/*"}, []),
        ({"Sid": "S", "Effect": "Allow", "Action": "ec2:RebootInstances", "Resource": "arn:aws:ec2:eu-west-1:123456789012:*",
          "Condition": {"StringEquals": {"aws:ResourceTag/provision:plan": "p"}}}, []),
        ({"Sid": "S", "Effect": "Allow", "Action": "ec2:RebootInstances", "Resource": "arn:aws:ec2:eu-west-1:123456789012:*"},
         ["S: write action ec2:RebootInstances on every resource"]),
    ],
)  # fmt: skip
def test_privilege_problems(stmt, problems):
    assert privilege_problems(_doc(stmt)) == problems


@pytest.mark.parametrize(
    ("stmt", "problems"),
    [
        ({"Effect": "Allow", "Principal": {"AWS": VENDOR_ACCOUNT}, "Action": "sts:AssumeRole",
          "Condition": {"StringEquals": {"sts:ExternalId": "x"}}}, []),
        ({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{VENDOR_ACCOUNT}:role/soc"}, "Action": "sts:AssumeRole",
          "Condition": {"StringEquals": {"sts:ExternalId": "x"}}}, []),
        ({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "x"}}},
         [f"#1: trusts *, not only account {VENDOR_ACCOUNT}"]),
        ({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole",
          "Condition": {"StringEquals": {"sts:ExternalId": "x"}}}, [f"#1: trusts Service principal, not only account {VENDOR_ACCOUNT}"]),
        ({"Effect": "Allow", "Principal": {"AWS": VENDOR_ACCOUNT}, "Action": "sts:AssumeRole",
          "Condition": {"StringLike": {"sts:ExternalId": "*"}}}, ["#1: does not require sts:ExternalId (StringEquals)"]),
        ({"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"}, ["no statement allows anyone to assume the role"]),
    ],
)  # fmt: skip
def test_trust_problems(stmt, problems):
    assert trust_problems(_doc(stmt), VENDOR_ACCOUNT) == problems


def test_url_encoded_documents_are_read():
    encoded = "%7B%22Statement%22%3A%20%5B%7B%22Effect%22%3A%20%22Allow%22%2C%20%22Action%22%3A%20%22%2A%22%2C%20%22Resource%22%3A%20%22%2A%22%7D%5D%7D"
    assert privilege_problems(encoded) == ["#1: wildcard action '*'"]
