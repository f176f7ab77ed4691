"""PRV-BAK-004: every critical function holding data is backed up."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.policies.plan_facts import needs_backup
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    for function in plan.functions.values():
        if function.tier == "critical" and needs_backup(plan, function):
            yield Violation(
                f"critical {function.type} function '{function.name}' is not protected by any backup function",
                function.path,
                function.name,
            )


POLICY = Policy(
    id="PRV-BAK-004",
    title="Every critical function holding data is backed up",
    enforcement=Enforcement.MANDATORY,
    description=(
        "A critical hosting or data-exchange function must appear in some backup function's "
        "protects list. Vendors' own backups are not a substitute: they are neither tested by "
        "you nor available after the contract ends."
    ),
    remediation="Add the function to backup.protects of a backup function, or add a backup function.",
    check=check,
    tags=("backup",),
)
