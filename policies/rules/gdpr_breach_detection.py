"""PRV-GDPR-002: GDPR plans can detect a personal-data breach."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.policies.plan_facts import compliance_path, monitoring_gap
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    if "gdpr" not in plan.compliance:
        return
    required = params["requiredServices"]
    gap = monitoring_gap(plan, required)
    if gap is None:
        return
    first, missing = gap
    if first is None:
        yield Violation(
            f"the plan declares gdpr but has no security-monitoring function; breach detection "
            f"needs {', '.join(required)}",
            compliance_path(plan, "gdpr"),
        )
    else:
        yield Violation(
            f"the plan declares gdpr but its security monitoring lacks {', '.join(missing)}; "
            f"add it to function '{first.name}'",
            first.settings_path + ("services",),
            first.name,
        )


POLICY = Policy(
    id="PRV-GDPR-002",
    title="GDPR plans can detect a personal-data breach",
    enforcement=Enforcement.MANDATORY,
    description=(
        "GDPR Art. 32 requires security appropriate to the risk and Art. 33 a breach notification "
        "within 72 hours of becoming aware of it, which needs detection in the first place. A plan "
        "that declares gdpr must have a security-monitoring function running at least the required "
        "services (default: guardduty for threat detection, cloudtrail for the audit trail)."
    ),
    remediation=(
        "Add a security-monitoring function with guardduty and cloudtrail, or add the missing "
        "services to the existing one."
    ),
    check=check,
    params={"requiredServices": ["guardduty", "cloudtrail"]},
    tags=("gdpr", "security"),
)
