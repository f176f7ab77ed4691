"""PRV-SLA-002: vendors running critical functions give 24x7 support."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    for function in plan.functions.values():
        vendor = plan.provider_of(function)
        if function.tier != "critical" or not vendor.external or vendor.support == "24x7":
            continue
        if vendor.support is None:
            yield Violation(
                f"critical function '{function.name}' runs at provider '{vendor.name}', "
                "which declares no support hours (needs 24x7)",
                vendor.path,
                function.name,
            )
        else:
            yield Violation(
                f"critical function '{function.name}' runs at provider '{vendor.name}' "
                f"with {vendor.support} support (needs 24x7)",
                vendor.path + ("support",),
                function.name,
            )


POLICY = Policy(
    id="PRV-SLA-002",
    title="Critical functions at vendors have 24x7 support",
    enforcement=Enforcement.MANDATORY,
    description=(
        "Incidents on critical functions do not wait for office hours. Every external provider "
        "running a critical function declares support: 24x7."
    ),
    remediation="Contract 24x7 support and set support: 24x7 on the provider, or lower the function's tier.",
    check=check,
    tags=("sla", "vendor"),
)
