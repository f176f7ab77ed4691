"""Vendor concentration: how many critical functions each external vendor runs."""

from __future__ import annotations

from provision.cli.review.model import VendorLoad
from provision.policies.plan_facts import critical_functions_at
from provision.schemas.model import Plan


def critical_by_vendor(plan: Plan | None) -> dict[str, tuple[str, ...]]:
    """External vendor -> the critical functions it runs (vendors with none included)."""
    if plan is None:
        return {}
    return {
        name: tuple(critical_functions_at(plan, name)) for name, provider in plan.providers.items() if provider.external
    }


def concentration(base: Plan | None, head: Plan) -> tuple[VendorLoad, ...]:
    """Every external vendor of either plan, the most loaded (in HEAD) first."""
    before, after = critical_by_vendor(base), critical_by_vendor(head)
    critical_before = sum(1 for f in base.functions.values() if f.tier == "critical") if base else 0
    critical_after = sum(1 for f in head.functions.values() if f.tier == "critical")
    loads = [
        VendorLoad(vendor, before.get(vendor, ()), after.get(vendor, ()), critical_before, critical_after)
        for vendor in dict.fromkeys([*after, *before])
    ]
    return tuple(sorted(loads, key=lambda load: (-len(load.after), -len(load.before), load.vendor)))
