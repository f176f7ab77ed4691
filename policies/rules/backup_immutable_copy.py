"""PRV-BAK-003: critical data is backed up immutably with a copy in a second region."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import RESIDENCIES, Enforcement, Policy, Violation
from provision.policies.plan_facts import is_sensitive, protected_functions
from provision.policies.residency import residency
from provision.schemas.model import Function, Plan


def reason(plan: Plan, backup: Function) -> str | None:
    """Why this backup holds critical data, or None when it does not."""
    for function in protected_functions(plan, backup) + [backup]:
        if function.tier == "critical":
            return f"critical function '{function.name}'"
        if is_sensitive(function):
            return f"{function.data} data of function '{function.name}'"
    return None


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    for backup in plan.functions_of_type("backup"):
        why = reason(plan, backup)
        if why is None:
            continue
        settings, path = backup.settings, backup.settings_path
        subject = f"backup function '{backup.name}' protects {why}"
        if not settings.get("immutable", False):
            where = path + ("immutable",) if "immutable" in settings else path
            yield Violation(f"{subject} but is not immutable", where, backup.name,
                            fix=f"Set backup.immutable: true on '{backup.name}' (a vault lock).")
        copy = settings.get("copyToRegion")
        if not copy:
            yield Violation(f"{subject} but keeps no copy in a second region", path, backup.name,
                            fix=copy_fix(plan, backup, params.get(RESIDENCIES)))
        elif copy == plan.region:
            yield Violation(
                f"{subject} but copies to {copy}, the home region", path + ("copyToRegion",), backup.name,
                fix=copy_fix(plan, backup, params.get(RESIDENCIES)),
            )


def copy_fix(plan: Plan, backup: Function, table=None) -> str:
    """Where the copy can go: a second region inside the residency, or, when the residency has
    a single region, what is left (a copy abroad would break residency: PRV-RES-001)."""
    allowed = residency(plan.data_residency, table)
    if allowed is None:  # PRV-RES-001 reports the unknown residency
        return f"Set backup.copyToRegion of '{backup.name}' to a region other than {plan.region}."
    exact = [r for r in allowed.regions if "*" not in r]
    if allowed.regions and exact == list(allowed.regions) and len(exact) == 1:
        return (
            f"Data residency '{plan.data_residency}' has a single AWS region ({exact[0]}), so no second region "
            f"is inside it: keep '{backup.name}' immutable in {exact[0]} and waive PRV-BAK-003 for it with an "
            "approver and the reason, or choose a residency with more than one region."
        )
    return (
        f"Set backup.copyToRegion of '{backup.name}' to a region other than {plan.region} inside data "
        f"residency '{plan.data_residency}' ({allowed.regions_label})."
    )


POLICY = Policy(
    id="PRV-BAK-003",
    title="Critical data is backed up immutably, with a copy in a second region",
    enforcement=Enforcement.MANDATORY,
    description=(
        "Ransomware and compromised admin (or vendor) credentials delete backups first, and a "
        "regional outage takes the backups in that region with it. A backup function that "
        "protects a critical function or pii/regulated data (or is itself critical or sensitive) "
        "sets immutable: true (a vault lock) and copyToRegion to a region other than spec.region."
    ),
    remediation="Set backup.immutable: true and backup.copyToRegion to a second region inside the data residency.",
    check=check,
    tags=("backup", "ransomware"),
)
