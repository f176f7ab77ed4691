"""PRV-VEN-001: no external vendor runs too many critical functions."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.policies.plan_facts import critical_functions_at, quoted
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    limit = params["maxCriticalPerVendor"]
    for vendor in plan.providers.values():
        if not vendor.external:
            continue
        critical = critical_functions_at(plan, vendor.name)
        if len(critical) > limit:
            yield Violation(
                f"provider '{vendor.name}' runs {len(critical)} critical functions ({quoted(critical)}); "
                f"at most {limit} per external vendor",
                vendor.path,
            )


POLICY = Policy(
    id="PRV-VEN-001",
    title="Critical functions are spread across vendors",
    enforcement=Enforcement.MANDATORY,
    description=(
        "Concentration risk: when one vendor runs many critical functions, its outage, insolvency "
        "or breach takes them all down at once, and exit becomes unrealistic (EBA outsourcing "
        "guidelines, DORA Art. 29). An external vendor may run at most maxCriticalPerVendor "
        "critical functions."
    ),
    remediation="Move some critical functions to another provider, or lower their tier if they are not critical.",
    check=check,
    params={"maxCriticalPerVendor": 2},
    tags=("vendor",),
)
