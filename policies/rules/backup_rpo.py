"""PRV-BAK-001: backup RPO fits the tier of what it protects."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.policies.plan_facts import protected_functions, tier_rank
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    max_rpo = params["maxRpoHours"]
    for backup in plan.functions_of_type("backup"):
        rpo = backup.settings.get("rpoHours")
        if rpo is None:
            continue
        # The strictest tier among what it protects, then itself, decides.
        covered = protected_functions(plan, backup) + [backup]
        strictest = min(covered, key=lambda f: tier_rank(f.tier))
        limit = max_rpo[strictest.tier]
        if rpo > limit:
            yield Violation(
                f"backup function '{backup.name}' has rpoHours {rpo}, above the {limit} allowed "
                f"for {strictest.tier} function '{strictest.name}'",
                backup.settings_path + ("rpoHours",),
                backup.name,
            )


POLICY = Policy(
    id="PRV-BAK-001",
    title="Backup RPO fits the tier of what it protects",
    enforcement=Enforcement.MANDATORY,
    description=(
        "The recovery point objective is the data a restore may lose. A backup function's "
        "rpoHours must not exceed maxRpoHours for the most critical tier among the functions it "
        "protects and itself (critical 24, important 72, standard 168 hours by default)."
    ),
    remediation="Lower backup.rpoHours to the tier's maximum.",
    check=check,
    params={"maxRpoHours": {"critical": 24, "important": 72, "standard": 168}},
    tags=("backup",),
)
