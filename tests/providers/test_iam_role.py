"""IamRoleProvider against moto: trust, boundary, inline/managed policies, drift, errors."""

from __future__ import annotations

import json

import boto3
import pytest

from provision.stacks.providers.base import ProviderError
from provision.stacks.providers.iam_role import IamRoleProvider, trust_policy

BACKUP_POLICY = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
VENDOR_ROOT = "arn:aws:iam::210987654321:root"


def _doc(*actions: str, resource: str = "arn:aws:s3:::site/*") -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": resource}]}
    )


def _props(**overrides):
    props = {
        "role_name": "acme-vendor",
        "assume_role_policy": trust_policy({"AWS": VENDOR_ROOT}, external_id="ext-123"),
        "description": "vendor access",
        "max_session_duration": 3600,
        "permissions_boundary": _doc("s3:GetObject", "s3:PutObject"),
        "inline_policies": {"read-site": _doc("s3:GetObject")},
        "managed_policy_arns": [],
        "tags": {"provision:plan": "acme"},
    }
    return {**props, **overrides}


@pytest.fixture
def iam(aws):
    return boto3.client("iam")


def _boundary_doc(iam, arn: str) -> dict:
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    return iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]


def test_trust_policy_shapes() -> None:
    assert json.loads(trust_policy({"Service": "backup.amazonaws.com"})) == {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    [statement] = json.loads(trust_policy({"AWS": VENDOR_ROOT}, external_id="x"))["Statement"]
    assert statement["Condition"] == {"StringEquals": {"sts:ExternalId": "x"}}


def test_create_sets_trust_session_boundary_policies_and_tags(iam, account_id) -> None:
    result = IamRoleProvider().create(_props())

    boundary_arn = f"arn:aws:iam::{account_id}:policy/acme-vendor-boundary"
    assert result.id == "acme-vendor"
    assert result.outs["arn"] == f"arn:aws:iam::{account_id}:role/acme-vendor"
    assert result.outs["permissions_boundary_arn"] == boundary_arn
    role = iam.get_role(RoleName="acme-vendor")["Role"]
    assert role["AssumeRolePolicyDocument"] == json.loads(_props()["assume_role_policy"])
    assert role["MaxSessionDuration"] == 3600
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary_arn
    assert _boundary_doc(iam, boundary_arn) == json.loads(_props()["permissions_boundary"])
    assert iam.get_role_policy(RoleName="acme-vendor", PolicyName="read-site")["PolicyDocument"] == json.loads(
        _doc("s3:GetObject")
    )
    assert iam.list_role_tags(RoleName="acme-vendor")["Tags"] == [{"Key": "provision:plan", "Value": "acme"}]


def test_create_attaches_aws_managed_policies(managed_policies, iam) -> None:
    props = _props(
        role_name="backup-service",
        assume_role_policy=trust_policy({"Service": "backup.amazonaws.com"}),
        permissions_boundary=None,
        inline_policies={},
        managed_policy_arns=[BACKUP_POLICY],
    )

    result = IamRoleProvider().create(props)

    assert result.outs["permissions_boundary_arn"] is None
    attached = iam.list_attached_role_policies(RoleName="backup-service")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [BACKUP_POLICY]
    assert IamRoleProvider().read("backup-service", result.outs).outs == result.outs


def test_read_matches_create_and_reflects_drift(iam) -> None:
    provider = IamRoleProvider()
    created = provider.create(_props())
    assert provider.read("acme-vendor", created.outs).outs == created.outs

    iam.update_assume_role_policy(RoleName="acme-vendor", PolicyDocument=trust_policy({"AWS": VENDOR_ROOT}))
    iam.update_role(RoleName="acme-vendor", MaxSessionDuration=43200)
    iam.delete_role_permissions_boundary(RoleName="acme-vendor")
    iam.put_role_policy(RoleName="acme-vendor", PolicyName="added", PolicyDocument=_doc("s3:*", resource="*"))
    outs = provider.read("acme-vendor", created.outs).outs

    assert json.loads(outs["assume_role_policy"]) == json.loads(trust_policy({"AWS": VENDOR_ROOT}))
    assert outs["max_session_duration"] == 43200
    assert outs["permissions_boundary"] is None
    assert outs["permissions_boundary_arn"] is None
    assert set(outs["inline_policies"]) == {"read-site", "added"}
    assert json.loads(outs["inline_policies"]["added"]) == json.loads(_doc("s3:*", resource="*"))


def test_read_returns_none_when_the_role_is_gone(iam) -> None:
    assert IamRoleProvider().read("acme-vendor", _props()) is None


@pytest.mark.parametrize(
    ("change", "replaces"),
    [
        ({"role_name": "renamed"}, ["role_name"]),
        ({"assume_role_policy": trust_policy({"AWS": VENDOR_ROOT})}, []),
        ({"max_session_duration": 7200}, []),
        ({"permissions_boundary": None}, []),
        ({"inline_policies": {}}, []),
        ({"managed_policy_arns": [BACKUP_POLICY]}, []),
    ],
)
def test_diff_replaces_only_for_a_new_name(change, replaces) -> None:
    olds = {
        **_props(),
        "arn": "arn:aws:iam::123456789012:role/acme-vendor",
        "unique_id": "AROA",
        "permissions_boundary_arn": None,
    }

    diff = IamRoleProvider().diff("acme-vendor", olds, _props(**change))

    assert diff.changes is True
    assert diff.replaces == replaces


def test_update_repairs_drift_and_applies_changes(iam) -> None:
    provider = IamRoleProvider()
    created = provider.create(_props())
    iam.delete_role_permissions_boundary(RoleName="acme-vendor")
    iam.update_role(RoleName="acme-vendor", MaxSessionDuration=43200)
    drifted = provider.read("acme-vendor", created.outs).outs
    news = _props(
        assume_role_policy=trust_policy({"AWS": VENDOR_ROOT}, external_id="rotated"),
        permissions_boundary=_doc("s3:GetObject"),
        inline_policies={"list-site": _doc("s3:ListBucket", resource="arn:aws:s3:::site")},
        tags={"team": "ops"},
    )

    result = provider.update("acme-vendor", drifted, news)

    role = iam.get_role(RoleName="acme-vendor")["Role"]
    assert role["MaxSessionDuration"] == 3600
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Condition"] == {
        "StringEquals": {"sts:ExternalId": "rotated"}
    }
    assert _boundary_doc(iam, result.outs["permissions_boundary_arn"]) == json.loads(_doc("s3:GetObject"))
    assert iam.list_role_policies(RoleName="acme-vendor")["PolicyNames"] == ["list-site"]
    assert iam.list_role_tags(RoleName="acme-vendor")["Tags"] == [{"Key": "team", "Value": "ops"}]
    assert provider.read("acme-vendor", result.outs).outs == result.outs


def test_boundary_updates_survive_the_five_version_limit(iam) -> None:
    provider = IamRoleProvider()
    olds = provider.create(_props()).outs
    for n in range(6):
        news = _props(permissions_boundary=_doc("s3:GetObject", resource=f"arn:aws:s3:::site{n}/*"))
        olds = provider.update("acme-vendor", olds, news).outs

    assert _boundary_doc(iam, olds["permissions_boundary_arn"]) == json.loads(
        _doc("s3:GetObject", resource="arn:aws:s3:::site5/*")
    )


def test_update_dropping_the_boundary_deletes_its_policy(iam) -> None:
    provider = IamRoleProvider()
    olds = provider.create(_props()).outs

    result = provider.update("acme-vendor", olds, _props(permissions_boundary=None))

    assert result.outs["permissions_boundary_arn"] is None
    assert "PermissionsBoundary" not in iam.get_role(RoleName="acme-vendor")["Role"]
    assert iam.list_policies(Scope="Local")["Policies"] == []


def test_delete_strips_policies_removes_boundary_and_is_idempotent(managed_policies, iam) -> None:
    provider = IamRoleProvider()
    created = provider.create(_props(managed_policy_arns=[BACKUP_POLICY]))

    provider.delete("acme-vendor", created.outs)
    provider.delete("acme-vendor", created.outs)

    assert provider.read("acme-vendor", created.outs) is None
    assert iam.list_policies(Scope="Local")["Policies"] == []


def test_name_clash_is_reported_and_leaves_the_existing_role_alone(iam) -> None:
    iam.create_role(RoleName="acme-vendor", AssumeRolePolicyDocument=trust_policy({"Service": "backup.amazonaws.com"}))

    with pytest.raises(ProviderError) as raised:
        IamRoleProvider().create(_props())

    assert str(raised.value) == (
        "IAM role acme-vendor: CreateRole: EntityAlreadyExists: a role with this name already exists. It is not "
        "tagged as this plan's, so provision will not take it over: delete it (after checking it holds nothing you "
        "need) or change the plan so the name differs."
    )
    assert iam.get_role(RoleName="acme-vendor")["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "backup.amazonaws.com"
    }
    assert iam.list_policies(Scope="Local")["Policies"] == []


def test_unknown_managed_policy_is_reported_and_the_role_rolled_back(iam) -> None:
    missing = "arn:aws:iam::aws:policy/NoSuchPolicy"

    with pytest.raises(ProviderError, match=rf"^IAM role acme-vendor: AttachRolePolicy {missing}: NoSuchEntity: "):
        IamRoleProvider().create(_props(managed_policy_arns=[missing]))

    assert IamRoleProvider().read("acme-vendor", _props()) is None
    assert iam.list_policies(Scope="Local")["Policies"] == []


OURS = {"provision:plan": "acme", "provision:function": "ops", "provision:environment": "prod"}


def test_create_adopts_a_role_a_killed_run_left_and_takes_it_to_the_props(iam, account_id) -> None:
    # What a killed run leaves: its boundary and role, created with the tags, the rest half done or stale.
    provider = IamRoleProvider()
    provider.create(_props(tags=OURS, inline_policies={"stale": _doc("s3:DeleteObject")}, max_session_duration=7200))

    result = provider.create(_props(tags=OURS))

    assert result.id == "acme-vendor"
    assert result.outs["permissions_boundary_arn"] == f"arn:aws:iam::{account_id}:policy/acme-vendor-boundary"
    assert iam.list_role_policies(RoleName="acme-vendor")["PolicyNames"] == ["read-site"]
    assert iam.get_role(RoleName="acme-vendor")["Role"]["MaxSessionDuration"] == 3600
    assert provider.read("acme-vendor", _props(tags=OURS)).outs == result.outs


def test_create_adopts_a_boundary_left_without_its_role(iam, account_id) -> None:
    arn = f"arn:aws:iam::{account_id}:policy/acme-vendor-boundary"
    iam.create_policy(PolicyName="acme-vendor-boundary", PolicyDocument=_doc("s3:*"),
                      Tags=[{"Key": k, "Value": v} for k, v in OURS.items()])

    IamRoleProvider().create(_props(tags=OURS))

    assert iam.get_role(RoleName="acme-vendor")["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == arn
    assert _boundary_doc(iam, arn) == json.loads(_props()["permissions_boundary"])


def test_create_refuses_a_boundary_policy_made_for_something_else(iam) -> None:
    iam.create_policy(PolicyName="acme-vendor-boundary", PolicyDocument=_doc("s3:*"))

    with pytest.raises(ProviderError) as raised:
        IamRoleProvider().create(_props(tags=OURS))

    assert str(raised.value).startswith(
        "IAM role acme-vendor: CreatePolicy acme-vendor-boundary: EntityAlreadyExists: a policy with this name "
        "already exists. It is not tagged as this plan's"
    )
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role(RoleName="acme-vendor")


MASKED_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": VENDOR_ROOT},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "[secret]"}},
        }
    ],
}
OPEN_TO_ALL = {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}


def _with(statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


@pytest.mark.parametrize(
    ("live_statements", "masked_statements"),
    [
        # Someone lets anybody assume the role.
        (
            [json.loads(trust_policy({"AWS": VENDOR_ROOT}, external_id="ext-123"))["Statement"][0], OPEN_TO_ALL],
            MASKED_TRUST["Statement"] + [OPEN_TO_ALL],
        ),
        # Someone removes the ExternalId condition.
        (
            [{"Effect": "Allow", "Principal": {"AWS": VENDOR_ROOT}, "Action": "sts:AssumeRole"}],
            [{"Effect": "Allow", "Principal": {"AWS": VENDOR_ROOT}, "Action": "sts:AssumeRole"}],
        ),
        # Someone sets another ExternalId: still masked, but seen as changed.
        (
            json.loads(trust_policy({"AWS": VENDOR_ROOT}, external_id="ext-999"))["Statement"],
            [{**MASKED_TRUST["Statement"][0], "Condition": {"StringEquals": {"sts:ExternalId": "[secret, changed]"}}}],
        ),
    ],
)
def test_trust_policy_changes_show_in_its_masked_copy_without_the_secret(iam, live_statements, masked_statements) -> None:
    """Regression: the trust policy is a secret, "[secret]" on both sides of drift, so no change ever showed."""
    provider = IamRoleProvider()
    created = provider.create(_props())
    assert json.loads(created.outs["assume_role_policy_masked"]) == MASKED_TRUST

    iam.update_assume_role_policy(RoleName="acme-vendor", PolicyDocument=_with(live_statements))
    read = provider.read("acme-vendor", created.outs).outs

    assert json.loads(read["assume_role_policy_masked"]) == {"Version": "2012-10-17", "Statement": masked_statements}
    assert "ext-123" not in read["assume_role_policy_masked"] and "ext-999" not in read["assume_role_policy_masked"]
    # The masked copy is an output, not a setting: it never makes a diff of its own.
    assert provider.diff("acme-vendor", created.outs, _props()).changes is False


def _sized(size: int) -> str:
    """A policy document of exactly `size` characters once whitespace is left out, as IAM counts."""
    base = _doc("s3:GetObject", resource="arn:aws:s3:::b/")
    compact = "".join(base.split())
    pad = size - len(compact)
    return base.replace("arn:aws:s3:::b/", "arn:aws:s3:::b/" + "x" * pad)


def test_inline_policies_over_iams_aggregate_quota_are_refused_before_any_call(iam) -> None:
    assert len("".join(_sized(5_000).split())) == 5_000
    fits = _props(inline_policies={"a": _sized(5_120), "b": _sized(5_120)})
    over = _props(inline_policies={"a": _sized(5_120), "b": _sized(5_121)})

    IamRoleProvider().create(fits)
    with pytest.raises(ProviderError) as refused:
        IamRoleProvider().create(_props(role_name="acme-other", inline_policies=over["inline_policies"]))

    assert str(refused.value) == (
        "IAM role acme-other: its inline policies total 10,241 characters (a 5,120, b 5,121), over IAM's 10,240 "
        "per role; narrow them or move some into a managed policy."
    )
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["acme-vendor"]


def test_a_boundary_over_the_managed_policy_quota_is_refused(iam) -> None:
    provider = IamRoleProvider()
    olds = provider.create(_props()).outs

    with pytest.raises(ProviderError, match=r"permissions boundary has 6,145 characters, over IAM's 6,144"):
        provider.update("acme-vendor", olds, _props(permissions_boundary=_sized(6_145)))
