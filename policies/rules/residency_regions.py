"""PRV-RES-001: every region the plan uses lies inside its data residency."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.policies.residency import BACKUP_COPIES, regions_used, residency
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    allowed = residency(plan.data_residency)
    outside = f"outside data residency '{allowed.name}' (allowed: {allowed.regions_label})"
    # Only where data is held or carried: global services' regions keep metadata only.
    for use in regions_used(plan):
        if not use.holds_data or allowed.allows_region(use.region):
            continue
        if use.kind == BACKUP_COPIES:
            yield Violation(
                f"backup function '{use.function}' copies recovery points to {use.region}, {outside}",
                use.path,
                use.function,
            )
        else:
            yield Violation(f"home region {use.region} is {outside}", use.path)


POLICY = Policy(
    id="PRV-RES-001",
    title="Every region used stays inside the data residency",
    enforcement=Enforcement.MANDATORY,
    description=(
        "The plan's home region and every backup copy region must lie inside spec.dataResidency. "
        "Residencies map to AWS regions: eu -> eu-* except eu-west-2 (London) and eu-central-2 "
        "(Zurich), uk -> eu-west-2, ch -> eu-central-2, us -> us-*, ca -> ca-*, apac -> ap-*, "
        "global -> any region. Data stored outside the promised jurisdiction breaks contracts "
        "and data-protection law even when the copy is only a backup. Some resources live where "
        "AWS serves a global service, whatever the home region, and hold metadata only, never the "
        "plan's data: alarms on CloudFront's metrics and the on-call topic and key they notify "
        "(CloudFront publishes its metrics only in us-east-1; they carry alarm states, thresholds "
        "and metric values), and AWS Budgets (served from us-east-1; spend amounts and alert "
        "addresses). They are not judged here; `provision plan` and `provision diff` list every "
        "region a plan uses, these included."
    ),
    remediation=(
        "Move spec.region or backup.copyToRegion to a region inside the residency, or change "
        "spec.dataResidency if the promise itself is wrong."
    ),
    check=check,
    tags=("residency",),
)
