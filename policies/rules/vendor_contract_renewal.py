"""PRV-VEN-004: a vendor contract ending soon is flagged for renewal."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import TODAY, Enforcement, Policy, Violation
from provision.policies.plan_facts import contracts
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    today = params[TODAY]
    notice = params["noticeDays"]
    for vendor, ends in contracts(plan):
        if 0 <= (ends - today).days <= notice:
            yield Violation(
                f"provider '{vendor.name}' contract ends on {ends.isoformat()}, "
                f"in {(ends - today).days} days (notice period {notice} days)",
                vendor.path + ("contractEnds",),
            )


POLICY = Policy(
    id="PRV-VEN-004",
    title="Vendor contracts due for renewal",
    enforcement=Enforcement.ADVISORY,
    description=(
        "A contract that ends within noticeDays leaves little time to renew or to run the exit "
        "plan. Reported for every external provider with a contractEnds date in the window; a "
        "contract that has already ended is PRV-VEN-003."
    ),
    remediation="Renew the contract and update contractEnds, or start the exit plan now.",
    check=check,
    params={"noticeDays": 60},
    tags=("vendor", "contract"),
)
