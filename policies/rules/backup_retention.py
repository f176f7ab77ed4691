"""PRV-BAK-002: backups of sensitive data are kept long enough to notice a loss."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.policies.plan_facts import protected_functions
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    minimums = params["minRetentionDays"]
    for backup in plan.functions_of_type("backup"):
        days = backup.settings.get("retentionDays")
        if days is None:
            continue
        covered = protected_functions(plan, backup) + [backup]
        function = max(covered, key=lambda f: minimums[f.data])
        minimum = minimums[function.data]
        if days < minimum:
            yield Violation(
                f"backup function '{backup.name}' keeps recovery points {days} days; "
                f"{function.data} data of function '{function.name}' needs at least {minimum}",
                backup.settings_path + ("retentionDays",),
                backup.name,
            )


POLICY = Policy(
    id="PRV-BAK-002",
    title="Backups of sensitive data are kept long enough",
    enforcement=Enforcement.MANDATORY,
    description=(
        "Corruption, ransomware and mistaken deletions are often found weeks later; recovery "
        "points must outlive the time to notice. A backup function's retentionDays must be at "
        "least minRetentionDays for the most sensitive data class among the functions it protects "
        "and itself (by default 30 days for pii and regulated data, no minimum beyond one day for "
        "the other classes)."
    ),
    remediation="Raise backup.retentionDays to the minimum for the data class.",
    check=check,
    params={"minRetentionDays": {"public": 1, "internal": 1, "confidential": 1, "pii": 30, "regulated": 30}},
    tags=("backup",),
)
