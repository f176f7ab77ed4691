"""PRV-PCI-002: PCI-DSS audit logs are kept at least a year."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.policies.plan_facts import short_trails
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    if "pci-dss" not in plan.compliance:
        return
    minimum = params["minTrailRetentionDays"]
    for function, days in short_trails(plan, minimum):
        yield Violation(
            f"security-monitoring function '{function.name}' keeps its audit trail {days} days; "
            f"PCI-DSS needs at least {minimum}",
            function.settings_path + ("trailRetentionDays",),
            function.name,
        )


POLICY = Policy(
    id="PRV-PCI-002",
    title="PCI-DSS audit trails are kept for at least a year",
    enforcement=Enforcement.MANDATORY,
    description=(
        "PCI-DSS v4 requirement 10.5.1 keeps audit log history for at least 12 months. In a plan "
        "that declares pci-dss, every security-monitoring function with cloudtrail sets "
        "trailRetentionDays (default 365) to at least minTrailRetentionDays."
    ),
    remediation="Raise securityMonitoring.trailRetentionDays to at least 365.",
    check=check,
    params={"minTrailRetentionDays": 365},
    tags=("pci-dss", "security"),
)
