"""PRV-GDPR-002: GDPR plans can detect a personal-data breach."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.policies.regime_checks import missing_monitoring
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    return missing_monitoring(plan, "gdpr", params["requiredServices"], "breach detection")


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
