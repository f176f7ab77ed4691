"""Vendor access read from the target's IAM, and its differences from the planned access.

For each role the plan gives a vendor, the live role (session limit, inline
and attached policies, permissions boundary) is read and evaluated the same
way as the planned one (access.evaluate); a missing role, a session limit,
a boundary or any grant that differs is a difference. The planned side is
built from the deployed functions' outputs (the stack's exports), so both
name the same resources.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Mapping

from provision.stacks.access.evaluate import Grant, describe_condition, evaluate
from provision.stacks.access.planned import Role, VendorRoles
from provision.stacks.engine.operations import SECRET_SIGNATURE
from provision.stacks.verify.policy_documents import parse as _doc


def exports_of(deployment: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The functions' outputs the stack exported (by function name), secrets left out."""
    for res in (deployment or {}).get("resources") or []:
        if res.get("type") == "pulumi:pulumi:Stack":
            outputs = res.get("outputs") or {}
            return {k: v for k, v in outputs.items() if isinstance(v, dict) and SECRET_SIGNATURE not in v}
    return {}


def read_role(iam: Any, planned: Role) -> Role | None:
    """The live `planned` role (same name), or None when it does not exist."""
    try:
        role = iam.get_role(RoleName=planned.name)["Role"]
    except iam.exceptions.NoSuchEntityException:
        return None
    policies: dict[str, Any] = {}
    for page in iam.get_paginator("list_role_policies").paginate(RoleName=planned.name):
        for name in page["PolicyNames"]:
            policies[name] = _doc(iam.get_role_policy(RoleName=planned.name, PolicyName=name)["PolicyDocument"])
    for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=planned.name):
        for attached in page["AttachedPolicies"]:
            policies[f"attached {attached['PolicyArn']}"] = _managed(iam, attached["PolicyArn"])
    arn = (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    return replace(
        planned,
        max_session_seconds=int(role.get("MaxSessionDuration", 3600)) if planned.max_session_seconds else None,
        policies=policies,
        boundary=_managed(iam, arn) if arn else None,
    )


def _managed(iam: Any, arn: str) -> Any:
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    return _doc(iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"])


def live_roles(planned: VendorRoles, iam: Any) -> tuple[VendorRoles, list[str]]:
    """The vendor's roles as they are live, and the planned ones that do not exist."""
    found, missing = [], []
    for role in planned.roles:
        live = read_role(iam, role)
        if live is None:
            missing.append(f"role {role.name} ({role.kind}) does not exist")
        else:
            found.append(live)
    return replace(planned, roles=tuple(found)), missing


def role_grants(role: Role) -> set[Grant]:
    return evaluate(role.policies, role.boundary).grants


def differences(planned: VendorRoles, live: VendorRoles, missing: list[str]) -> list[str]:
    """What differs between the planned and the live roles of one vendor; empty when they agree."""
    found = {r.name: r for r in live.roles}
    out = [f"{planned.vendor.name}: {m}" for m in missing]
    for role in planned.roles:
        other = found.get(role.name)
        if other is None:
            continue
        where = f"{planned.vendor.name}: role {role.name}"
        if other.max_session_seconds != role.max_session_seconds:
            out.append(f"{where}: sessions of {other.max_session_seconds}s, planned {role.max_session_seconds}s")
        if (other.boundary is None) != (role.boundary is None):
            out.append(f"{where}: permissions boundary {'missing' if other.boundary is None else 'not planned'}")
        want, have = role_grants(role), role_grants(other)
        out += [f"{where}: grants {_grant(g)} (not planned)" for g in sorted(have - want)]
        out += [f"{where}: lacks {_grant(g)} (planned)" for g in sorted(want - have)]
        # Changes the boundary caps today still differ from the plan: the next boundary change would open them.
        raw_want, raw_have = evaluate(role.policies, None).grants, evaluate(other.policies, None).grants
        out += [f"{where}: its policies allow {_grant(g)}, capped by the boundary (not planned)"
                for g in sorted((raw_have - raw_want) - have)]  # fmt: skip
        bound_want, bound_have = (evaluate({"boundary": r.boundary}, None).grants if r.boundary else set() for r in (role, other))
        out += [f"{where}: its boundary allows {_grant(g)} (not planned)" for g in sorted(bound_have - bound_want)]
    return out


def _grant(g: Grant) -> str:
    condition = describe_condition(g.condition)
    return f"{g.action} on {g.resource}" + (f" when {condition}" if condition else "")


def account_of(make_client: Callable[..., Any]) -> str:
    return str(make_client("sts").get_caller_identity()["Account"])
