"""Vendor access as deployed equals vendor access as planned, vendor by vendor.

The planned roles come from the stacks' policy builders with the deployed
functions' outputs (stacks.access.planned); the live ones are read from IAM
and both are evaluated alike (stacks.access.live). This is the check that
catches a role holding another partner's prefix, or a policy widened by hand.
"""

from __future__ import annotations

from typing import Iterator

from provision.stacks.access.live import account_of, differences, live_roles
from provision.stacks.access.planned import external_vendors, vendor_roles
from provision.stacks.functions.iam_policies import MissingOutput
from provision.stacks.verify.model import CheckResult, VerifyContext

CHECK = "access.live"


def access_results(ctx: VerifyContext) -> Iterator[CheckResult]:
    """One `access.live` result per external vendor; nothing when the stack exported no outputs."""
    if not ctx.exports:
        return
    account = account_of(lambda service: ctx.client(service))
    iam = ctx.client("iam")
    for vendor in external_vendors(ctx.plan):
        subject = f"vendor {vendor.name}"
        try:
            planned = vendor_roles(ctx.plan, vendor.name, account, ctx.exports)
        except (KeyError, MissingOutput) as exc:
            yield CheckResult(CHECK, subject, False, f"planned access cannot be computed from the stack's outputs: {exc}")
            continue
        live, missing = live_roles(planned, iam)
        found = differences(planned, live, missing)
        detail = "; ".join(found) or f"{len(planned.roles)} roles grant exactly the planned access"
        yield CheckResult(CHECK, subject, not found, detail)
