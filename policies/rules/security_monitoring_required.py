"""PRV-SEC-001: outsourcing personal or regulated data comes with security monitoring."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.policies.plan_facts import is_sensitive, monitoring_gap, quoted
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    sensitive = [f for f in plan.functions.values() if is_sensitive(f)]
    if not sensitive:
        return
    required = params["requiredServices"]
    gap = monitoring_gap(plan, required)
    if gap is None:
        return
    first, missing = gap
    if first is None:
        for function in sensitive:
            yield Violation(
                f"function '{function.name}' holds {function.data} data but the plan has no "
                f"security-monitoring function (needs {', '.join(required)})",
                function.path,
                function.name,
            )
    else:
        yield Violation(
            f"security monitoring lacks {', '.join(missing)}, required for the pii or regulated data of "
            f"{quoted(f.name for f in sensitive)}",
            first.settings_path + ("services",),
            first.name,
        )


POLICY = Policy(
    id="PRV-SEC-001",
    title="Personal or regulated data is watched by security monitoring",
    enforcement=Enforcement.MANDATORY,
    description=(
        "Handing personal or regulated data to providers widens who can touch it. Whenever any "
        "function holds pii or regulated data, the plan needs security monitoring running at "
        "least requiredServices (default guardduty for threat detection and cloudtrail for the "
        "audit trail of every API call, the vendors' included). Services count across all "
        "security-monitoring functions, since they are account-wide."
    ),
    remediation="Add a security-monitoring function with guardduty and cloudtrail, or add the missing services to it.",
    check=check,
    params={"requiredServices": ["guardduty", "cloudtrail"]},
    tags=("security",),
)
