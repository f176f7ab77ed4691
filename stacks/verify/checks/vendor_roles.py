"""Vendor access roles: trusted only by the vendor's account with an ExternalId,
hour-long sessions at most, a permissions boundary, and no over-broad policy.

Other roles (service roles trusted by AWS services) are left to their tags:
they use AWS managed policies this audit does not judge.
"""

from __future__ import annotations

from typing import Any, Iterator

from provision.stacks.verify.model import LiveResource, Outcome, VerifyContext, check, fail, ok
from provision.stacks.verify.owners import vendor_of
from provision.stacks.verify.policy_documents import privilege_problems, trust_problems

MAX_SESSION_SECONDS = 3600


def _role(res: LiveResource, ctx: VerifyContext) -> dict[str, Any]:
    return ctx.client("iam", res).get_role(RoleName=res.id)["Role"]


@check("iam.vendor-trust")
def vendor_trust(res: LiveResource, ctx: VerifyContext) -> Iterator[Outcome]:
    """Only the vendor's account may assume the role, and only with the ExternalId."""
    vendor = vendor_of(res, ctx.plan)
    if vendor is None:
        return
    problems = trust_problems(_role(res, ctx)["AssumeRolePolicyDocument"], str(vendor.account_id))
    if problems:
        yield fail("; ".join(problems))
    else:
        yield ok(f"trusted only by {vendor.name}'s account {vendor.account_id}, with sts:ExternalId required")


@check("iam.session-duration")
def session_duration(res: LiveResource, ctx: VerifyContext) -> Iterator[Outcome]:
    """Sessions last an hour at most."""
    if vendor_of(res, ctx.plan) is None:
        return
    seconds = int(_role(res, ctx)["MaxSessionDuration"])
    if seconds <= MAX_SESSION_SECONDS:
        yield ok(f"MaxSessionDuration {seconds}s")
    else:
        yield fail(f"MaxSessionDuration {seconds}s exceeds {MAX_SESSION_SECONDS}s")


@check("iam.permissions-boundary")
def permissions_boundary(res: LiveResource, ctx: VerifyContext) -> Iterator[Outcome]:
    """A permissions boundary is attached, and the policy it names exists."""
    if vendor_of(res, ctx.plan) is None:
        return
    arn = (_role(res, ctx).get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    if not arn:
        yield fail("no permissions boundary attached")
        return
    ctx.client("iam", res).get_policy(PolicyArn=arn)
    yield ok(f"permissions boundary {arn}")


def role_policies(res: LiveResource, ctx: VerifyContext) -> Iterator[tuple[str, Any]]:
    """(label, document) of every inline and attached policy of the role."""
    iam = ctx.client("iam", res)
    for page in iam.get_paginator("list_role_policies").paginate(RoleName=res.id):
        for name in page["PolicyNames"]:
            yield f"inline {name}", iam.get_role_policy(RoleName=res.id, PolicyName=name)["PolicyDocument"]
    for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=res.id):
        for attached in page["AttachedPolicies"]:
            arn = attached["PolicyArn"]
            version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
            yield f"attached {arn}", iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]


@check("iam.least-privilege")
def least_privilege(res: LiveResource, ctx: VerifyContext) -> Iterator[Outcome]:
    """No policy of the role allows "*" or "service:*" actions, or writes on every resource."""
    if vendor_of(res, ctx.plan) is None:
        return
    policies = list(role_policies(res, ctx))
    problems = [f"{label}: {problem}" for label, doc in policies for problem in privilege_problems(doc)]
    if problems:
        yield fail("; ".join(problems))
    elif not policies:
        yield ok("no policies: the role can do nothing")
    else:
        yield ok(f"{len(policies)} polic{'y' if len(policies) == 1 else 'ies'}, no wildcard actions or writes on every resource")
