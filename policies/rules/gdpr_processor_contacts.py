"""PRV-GDPR-003: vendors processing personal data can be reached about a breach."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.policies.plan_facts import data_recipients, is_sensitive, quoted
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    if "gdpr" not in plan.compliance:
        return
    processed: dict[str, list[str]] = {}
    for function in plan.functions.values():
        if is_sensitive(function):
            for vendor in data_recipients(plan, function):
                if vendor.external:
                    processed.setdefault(vendor.name, []).append(function.name)
    for name, functions in processed.items():
        vendor = plan.providers[name]
        if not vendor.contacts:
            yield Violation(
                f"provider '{name}' processes personal data for {quoted(functions)} "
                "but declares no contacts for breach notification",
                vendor.path,
            )


POLICY = Policy(
    id="PRV-GDPR-003",
    title="Vendors processing personal data declare breach contacts",
    enforcement=Enforcement.MANDATORY,
    description=(
        "Under GDPR Art. 33(2) a processor must notify the controller of a breach without undue "
        "delay, and the controller must be able to reach the processor. Every external vendor that "
        "runs or receives pii or regulated data in a gdpr plan declares contacts."
    ),
    remediation="Add contacts (email addresses) to the provider.",
    check=check,
    tags=("gdpr", "vendor"),
)
