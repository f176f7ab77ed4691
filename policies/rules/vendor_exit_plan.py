"""PRV-VEN-002: vendors running critical functions have an exit plan and a contract end."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.policies.plan_facts import critical_functions_at, quoted
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    for vendor in plan.providers.values():
        if not vendor.external:
            continue
        critical = critical_functions_at(plan, vendor.name)
        if not critical:
            continue
        subject = f"provider '{vendor.name}' runs critical {quoted(critical)} but declares no"
        if not vendor.exit_plan:
            yield Violation(f"{subject} exitPlan", vendor.path,
                            fix=f"Add exitPlan (a path or URL to the exit plan) to provider '{vendor.name}'.")
        if vendor.contract_ends is None:
            yield Violation(f"{subject} contractEnds", vendor.path,
                            fix=f"Add contractEnds (the contract's end date, YYYY-MM-DD) to provider '{vendor.name}'.")


POLICY = Policy(
    id="PRV-VEN-002",
    title="Critical functions at vendors have an exit plan and a contract end date",
    enforcement=Enforcement.MANDATORY,
    description=(
        "A critical function handed to an external vendor needs a documented, tested way back "
        "(exitPlan: a path or URL) and a known contract end (contractEnds) so the exit can be "
        "rehearsed before it is needed (EBA outsourcing guidelines 4.15, DORA Art. 28(8))."
    ),
    remediation="Add exitPlan (path or URL to the exit plan) and contractEnds (date) to the provider.",
    check=check,
    tags=("vendor", "exit"),
)
