"""The plan's promises the state must hold at all: each function's key
resources (the kinds each function type's declaration lists),
and an access role for every external provider that operates a function.

A missing resource cannot be audited, so its absence is a failure here.
"""

from __future__ import annotations

from typing import Iterator

from provision.schemas import function_types
from provision.schemas.model import Function, Plan
from provision.stacks.functions.vendor_facts import operated_by
from provision.stacks.verify.model import CheckResult, LiveResource
from provision.stacks.verify.owners import vendor_of

# security-monitoring service -> the kind of resource that runs it
SERVICE_KINDS = {
    "guardduty": "GuardDutyDetector",
    "cloudtrail": "CloudTrailTrail",
    "securityhub": "SecurityHubAccount",
    "config": "ConfigRecorder",
}


def service_kinds(function: Function) -> list[str]:
    """A security-monitoring function's kinds beyond its type's: one per service it runs."""
    return [SERVICE_KINDS[s] for s in function.settings.get("services", ()) if s in SERVICE_KINDS]


def sftp_kinds(function: Function) -> list[str]:
    """A data exchange's kinds beyond its type's: the SFTP server, when it has one."""
    return ["TransferServer"] if function.settings.get("sftp") else []


def expected_kinds(function: Function) -> list[str]:
    """The kinds its type declares (schemas.function_types); none for an unknown type."""
    if function.type not in function_types.names():
        return []
    declared = function_types.get(function.type)
    return [*declared.kinds, *function_types.resolve(declared.more_kinds)(function)]


def coverage(plan: Plan, resources: list[LiveResource]) -> Iterator[CheckResult]:
    """One `plan.deployed` result per function and per vendor that needs a role."""
    for function in plan.functions.values():
        have = {r.kind for r in resources if r.function == function.name}
        missing = [k for k in expected_kinds(function) if k not in have]
        subject = f"function {function.name}"
        if not have:
            yield CheckResult("plan.deployed", subject, False, "nothing deployed for it: run provision apply")
        elif missing:
            yield CheckResult("plan.deployed", subject, False, f"no {', '.join(missing)} in the stack ({function.type})")
        else:
            yield CheckResult("plan.deployed", subject, True, f"{sum(r.function == function.name for r in resources)} resources")
    roles = {vendor.name for vendor in (vendor_of(r, plan) for r in resources) if vendor is not None}
    for provider in plan.providers.values():
        if provider.external and operated_by(plan, provider.name):
            subject = f"provider {provider.name}"
            if provider.name in roles:
                yield CheckResult("plan.deployed", subject, True, "vendor access role deployed")
            else:
                yield CheckResult("plan.deployed", subject, False, "no vendor access role in the stack")
