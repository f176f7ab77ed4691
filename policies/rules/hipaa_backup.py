"""PRV-HIPAA-002: HIPAA plans back up every function holding sensitive data."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.policies.plan_facts import is_sensitive, needs_backup
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    if "hipaa" not in plan.compliance:
        return
    for function in plan.functions.values():
        if is_sensitive(function) and needs_backup(plan, function):
            yield Violation(
                f"function '{function.name}' holds {function.data} data in a hipaa plan "
                "but no backup function protects it",
                function.path,
                function.name,
            )


POLICY = Policy(
    id="PRV-HIPAA-002",
    title="HIPAA plans back up electronic protected health information",
    enforcement=Enforcement.MANDATORY,
    description=(
        "The HIPAA contingency plan standard (45 CFR 164.308(a)(7)(ii)(A)) requires a data backup "
        "plan for ePHI. In a plan that declares hipaa, every hosting or data-exchange function "
        "holding pii or regulated data is listed in some backup function's protects. Encryption "
        "at rest and in transit is not a policy here: every function provisions KMS-encrypted "
        "storage and TLS endpoints, and the plan cannot turn that off."
    ),
    remediation="Add the function to backup.protects of a backup function, or add one.",
    check=check,
    tags=("hipaa", "backup"),
)
