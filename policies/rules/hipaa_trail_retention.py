"""PRV-HIPAA-001: HIPAA audit trails exist and are kept six years."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.policies.plan_facts import compliance_path, short_trails, trails
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    if "hipaa" not in plan.compliance:
        return
    minimum = params["minTrailRetentionDays"]
    if not trails(plan):
        where = ("Add cloudtrail to the services of a security-monitoring function"
                 if plan.functions_of_type("security-monitoring") else "Add a security-monitoring function with cloudtrail")
        yield Violation(
            "the plan declares hipaa but no security-monitoring function runs cloudtrail; "
            f"HIPAA needs an audit trail kept at least {minimum} days",
            compliance_path(plan, "hipaa"),
            fix=f"{where}, with trailRetentionDays of at least {minimum}.",
        )
    for function, days in short_trails(plan, minimum):
        yield Violation(
            f"security-monitoring function '{function.name}' keeps its audit trail {days} days; "
            f"HIPAA needs at least {minimum} (6 years)",
            function.settings_path + ("trailRetentionDays",),
            function.name,
            fix=f"Set trailRetentionDays of '{function.name}' to at least {minimum}.",
        )


POLICY = Policy(
    id="PRV-HIPAA-001",
    title="HIPAA audit trails exist and are kept six years",
    enforcement=Enforcement.MANDATORY,
    description=(
        "The HIPAA Security Rule requires audit controls (45 CFR 164.312(b)) and keeps the "
        "documentation of security activity for six years (164.316(b)(2)). A plan that declares "
        "hipaa needs a security-monitoring function with cloudtrail whose trailRetentionDays is "
        "at least minTrailRetentionDays (2190 days)."
    ),
    remediation="Add cloudtrail to a security-monitoring function and set trailRetentionDays to at least 2190.",
    check=check,
    params={"minTrailRetentionDays": 2190},
    tags=("hipaa", "security"),
)
