"""The plan's promises the state must hold at all: each function's key
resources (from the design's table of what each function type provisions),
and an access role for every external provider that operates a function.

A missing resource cannot be audited, so its absence is a failure here.
"""

from __future__ import annotations

from typing import Iterator

from provision.schemas.model import Function, Plan
from provision.stacks.functions.vendor_access import operated_by
from provision.stacks.verify.model import CheckResult, LiveResource
from provision.stacks.verify.owners import vendor_of

# security-monitoring service -> the kind of resource that runs it
SERVICE_KINDS = {
    "guardduty": "GuardDutyDetector",
    "cloudtrail": "CloudTrailTrail",
    "securityhub": "SecurityHubAccount",
    "config": "ConfigRecorder",
}
# function type -> kinds every such function has
TYPE_KINDS = {
    "hosting": ("KmsKey", "S3Bucket", "CloudFrontDistribution"),
    "backup": ("KmsKey", "BackupVault", "BackupPlan", "BackupSelection"),
    "security-monitoring": ("KmsKey", "SnsTopic"),
    "network": ("Vpc", "Subnet", "FlowLog"),
    "monitoring": ("SnsTopic",),
    "data-exchange": ("KmsKey", "S3Bucket"),
}


def expected_kinds(function: Function) -> list[str]:
    kinds = list(TYPE_KINDS.get(function.type, ()))
    if function.type == "security-monitoring":
        kinds += [SERVICE_KINDS[s] for s in function.settings.get("services", ()) if s in SERVICE_KINDS]
    if function.type == "data-exchange" and function.settings.get("sftp"):
        kinds.append("TransferServer")
    return kinds


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
