"""PRV-GDPR-004: personal data exchanged with partners is not kept longer than needed."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.policies.plan_facts import is_sensitive
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    if "gdpr" not in plan.compliance:
        return
    limit = params["maxRetentionDays"]
    for function in plan.functions_of_type("data-exchange"):
        days = function.settings.get("retentionDays")
        if is_sensitive(function) and days is not None and days > limit:
            yield Violation(
                f"data-exchange function '{function.name}' keeps {function.data} data {days} days, "
                f"more than {limit}",
                function.settings_path + ("retentionDays",),
                function.name,
            )


POLICY = Policy(
    id="PRV-GDPR-004",
    title="Exchanged personal data is kept no longer than needed",
    enforcement=Enforcement.ADVISORY,
    description=(
        "GDPR Art. 5(1)(e), storage limitation: personal data is kept no longer than the purpose "
        "needs. An exchange bucket is a hand-over point, not an archive; files that stay there "
        "for years widen every breach. Flags data-exchange functions holding pii or regulated data "
        "whose retentionDays exceed maxRetentionDays."
    ),
    remediation=(
        "Lower dataExchange.retentionDays, or raise maxRetentionDays in provision-policies.yaml "
        "with the documented purpose."
    ),
    check=check,
    params={"maxRetentionDays": 365},
    tags=("gdpr", "data-exchange"),
)
