"""PRV-RES-001: every region the plan uses lies inside its data residency."""

from __future__ import annotations

import difflib
from typing import Any, Iterator, Mapping

from provision.policies.base import RESIDENCIES, Enforcement, Policy, Violation
from provision.policies.residency import BACKUP_COPIES, regions_used, residency
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    table = params.get(RESIDENCIES)
    allowed = residency(plan.data_residency, table)
    if allowed is None:
        known = sorted(table) if table else []
        close = difflib.get_close_matches(plan.data_residency, known, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        yield Violation(
            f"data residency '{plan.data_residency}' is not defined (known: {', '.join(known)}); {hint}"
            "an organisation defines its own under residencies: in provision-policies.yaml",
            ("spec", "dataResidency"),
        )
        return
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
        "(Zurich); uk -> eu-west-2 and the eu regions, ch -> eu-central-2 and the eu regions (UK "
        "and Swiss law recognise the EU/EEA as adequate); us -> us-*; ca -> ca-central-1, "
        "ca-west-1; au -> ap-southeast-2, ap-southeast-4; jp -> ap-northeast-1, ap-northeast-3; "
        "sg -> ap-southeast-1; in -> ap-south-1, ap-south-2; apac -> ap-*; global -> any region. "
        "Organisations add their own under residencies: in provision-policies.yaml; an undefined "
        "residency is a finding. Data stored outside the promised jurisdiction breaks contracts "
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
