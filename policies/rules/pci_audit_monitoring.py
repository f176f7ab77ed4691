"""PRV-PCI-001: PCI-DSS plans log and watch every action."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.policies.regime_checks import missing_monitoring
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    return missing_monitoring(plan, "pci-dss", params["requiredServices"], "PCI-DSS logging and intrusion detection")


POLICY = Policy(
    id="PRV-PCI-001",
    title="PCI-DSS plans keep a validated audit trail and intrusion detection",
    enforcement=Enforcement.MANDATORY,
    description=(
        "PCI-DSS v4 requirement 10 asks for audit logs of all access, protected from tampering "
        "(10.3: the trail provisioned here always has log file validation and KMS encryption on), "
        "and requirement 11.5 for intrusion detection. A plan that declares pci-dss needs "
        "security monitoring with cloudtrail and guardduty."
    ),
    remediation="Add a security-monitoring function with cloudtrail and guardduty, or add the missing services.",
    check=check,
    params={"requiredServices": ["cloudtrail", "guardduty"]},
    tags=("pci-dss", "security"),
)
