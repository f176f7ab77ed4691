"""PRV-PCI-001: PCI-DSS plans log and watch every action."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.policies.plan_facts import compliance_path, monitoring_gap, security_services
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    if "pci-dss" not in plan.compliance:
        return
    required = params["requiredServices"]
    gap = monitoring_gap(plan, required)
    if gap is None:
        return
    first, missing = gap
    if first is None:
        yield Violation(
            f"the plan declares pci-dss but has no security-monitoring function; "
            f"PCI-DSS needs {', '.join(required)}",
            compliance_path(plan, "pci-dss"),
        )
    else:
        yield Violation(
            f"the plan declares pci-dss but security monitoring lacks {', '.join(missing)} "
            f"(enabled: {', '.join(sorted(security_services(plan)))})",
            first.settings_path + ("services",),
            first.name,
        )


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
