"""PRV-BPO-001: a data exchange with a BPO vendor comes with backup and security monitoring."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.policies.plan_facts import needs_backup
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    monitored = bool(plan.functions_of_type("security-monitoring"))
    for function in plan.functions_of_type("data-exchange"):
        if needs_backup(plan, function):
            yield Violation(
                f"data-exchange function '{function.name}' is not protected by any backup function",
                function.path,
                function.name,
                fix=f"List '{function.name}' in a backup function's backup.protects (add a backup function if there is none).",
            )
        if not monitored:
            yield Violation(
                f"data-exchange function '{function.name}' shares data with partners but the plan "
                "has no security-monitoring function",
                function.path,
                function.name,
                fix="Add a security-monitoring function to the plan.",
            )


POLICY = Policy(
    id="PRV-BPO-001",
    title="Data exchanges are backed up and monitored",
    enforcement=Enforcement.MANDATORY,
    description=(
        "Business process outsourcing follows IT outsourcing: once partners upload and fetch files, "
        "the exchange bucket is where partner mistakes (overwrites, deletions) and partner "
        "compromise show up first. Every data-exchange function is protected by a backup "
        "function, and the plan has a security-monitoring function watching the account."
    ),
    remediation=(
        "List the data-exchange function in a backup function's protects, and add a security-"
        "monitoring function."
    ),
    check=check,
    tags=("bpo", "backup", "security"),
)
