"""PRV-GDPR-001: GDPR plans keep data in the EU or an adequate country."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    allowed = params["allowedResidencies"]
    if "gdpr" in plan.compliance and plan.data_residency not in allowed:
        yield Violation(
            f"the plan declares gdpr but data residency '{plan.data_residency}'; "
            f"GDPR plans need one of {', '.join(allowed)}",
            ("spec", "dataResidency"),
        )


POLICY = Policy(
    id="PRV-GDPR-001",
    title="GDPR plans keep data in the EU or an adequate country",
    enforcement=Enforcement.MANDATORY,
    description=(
        "A plan that declares gdpr must set spec.dataResidency to eu, or to a country with an EU "
        "adequacy decision that the catalogue knows (uk, ch). Transfers elsewhere need safeguards "
        "(standard contractual clauses, transfer impact assessments) that a plan cannot express."
    ),
    remediation="Set spec.dataResidency to eu, uk or ch and move the regions accordingly.",
    check=check,
    params={"allowedResidencies": ["eu", "uk", "ch"]},
    tags=("gdpr", "residency"),
)
