"""PRV-SLA-001: availability SLAs meet the minimum for the function's tier."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    minimums = params["minAvailability"]
    for function in plan.functions.values():
        minimum = minimums[function.tier]
        declared = function.sla.availability
        vendor = plan.provider_of(function)
        if declared is None:
            # Own-account functions inherit AWS's SLAs; vendors must commit to one.
            if vendor.external and function.tier != "standard":
                yield Violation(
                    f"{function.tier} function '{function.name}' at external provider '{vendor.name}' "
                    f"declares no availability SLA (at least {minimum:g}%)",
                    function.path,
                    function.name,
                )
        elif declared < minimum:
            yield Violation(
                f"{function.tier} function '{function.name}' has availability {declared:g}%, "
                f"below the {minimum:g}% minimum for its tier",
                function.path + ("sla", "availability"),
                function.name,
            )


POLICY = Policy(
    id="PRV-SLA-001",
    title="Availability SLAs fit the function's tier",
    enforcement=Enforcement.MANDATORY,
    description=(
        "A declared sla.availability must be at least minAvailability for the function's tier "
        "(critical 99.9%, important 99.5%, standard 99.0% by default: about 44 minutes, 3.6 hours "
        "and 7.3 hours of downtime a month). Critical and important functions at external vendors "
        "must declare one, since the SLA is what the contract can enforce; functions in the "
        "organisation's own cloud account inherit the AWS service SLAs."
    ),
    remediation="Negotiate and declare an availability at or above the tier minimum, or lower the tier.",
    check=check,
    params={"minAvailability": {"critical": 99.9, "important": 99.5, "standard": 99.0}},
    tags=("sla",),
)
