"""Checks that several compliance regimes share, worded for the regime at hand."""

from __future__ import annotations

from typing import Iterator, Sequence

from provision.policies.base import Violation
from provision.policies.plan_facts import compliance_path, monitoring_gap, security_services
from provision.schemas.model import Plan


def missing_monitoring(plan: Plan, regime: str, required: Sequence[str], purpose: str) -> Iterator[Violation]:
    """Violations when a plan declaring `regime` lacks security monitoring running `required`.

    `purpose` names what the services are for in the regime's terms, e.g. "breach detection".
    """
    if regime not in plan.compliance:
        return
    gap = monitoring_gap(plan, required)
    if gap is None:
        return
    first, missing = gap
    if first is None:
        yield Violation(
            f"the plan declares {regime} but has no security-monitoring function; "
            f"{purpose} needs {', '.join(required)}",
            compliance_path(plan, regime),
        )
    else:
        yield Violation(
            f"the plan declares {regime} but security monitoring lacks {', '.join(missing)} "
            f"(enabled: {', '.join(sorted(security_services(plan)))})",
            first.settings_path + ("services",),
            first.name,
        )
