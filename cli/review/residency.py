"""Where a function's data lives, and whether that is inside the plan's residency.

A function's data lives in the plan's region, in its backup copy region, and
with every external vendor that receives it (its provider, and a data
exchange's partners), in the vendor's country. Public data has no residency to
keep. What each residency allows is the policies' definition
(provision.policies.residency), so the review and PRV-RES agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from provision.policies.plan_facts import data_recipients
from provision.policies.residency import residency
from provision.schemas.model import Function, Plan


@dataclass(frozen=True, order=True)
class Location:
    """One place a function's data lives."""

    kind: str  # region | copy-region | vendor
    value: str  # a region, or a vendor's country
    vendor: str = ""

    def describe(self) -> str:
        if self.kind == "vendor":
            return f"vendor {self.vendor} in {self.value}"
        return f"{'backup copy in' if self.kind == 'copy-region' else 'region'} {self.value}"


def locations(plan: Plan, function: Function) -> set[Location]:
    """Every place `function`'s data lives under `plan`."""
    found = {Location("region", plan.region)}
    copy_region = function.settings.get("copyToRegion") if function.type == "backup" else None
    if copy_region:
        found.add(Location("copy-region", copy_region))
    for provider in data_recipients(plan, function):
        if provider.external and provider.country:
            found.add(Location("vendor", provider.country.upper(), provider.name))
    return found


def outside(plan: Plan, function: Function, table=None) -> set[Location]:
    """The places `function`'s data lives outside `plan`'s residency (none for public data).

    `table` is the residency table of the config applied (default: the built-in one).
    """
    allowed = residency(plan.data_residency, table)
    if function.data == "public" or allowed is None:
        return set()
    def allowed_here(location: Location) -> bool:
        if location.kind == "vendor":
            return allowed.allows_country(location.value)
        return allowed.allows_region(location.value)

    return {location for location in locations(plan, function) if not allowed_here(location)}
