"""PRV-MON-001: every function a monitoring function watches gets alarms, or the plan says it cannot."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.schemas.model import Plan
from provision.stacks.functions.monitoring_alarms import watch_gap


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    for monitoring in plan.functions_of_type("monitoring"):
        for index, name in enumerate(monitoring.settings.get("watches", ())):
            watched = plan.functions.get(name)
            gap = watch_gap(watched) if watched is not None else None
            if gap:
                yield Violation(
                    f"monitoring function '{monitoring.name}' watches '{name}' ({watched.type}), "
                    f"which gets no alarm: {gap}",
                    monitoring.settings_path + ("watches", index),
                    monitoring.name,
                )


POLICY = Policy(
    id="PRV-MON-001",
    title="Every watched function gets alarms",
    enforcement=Enforcement.ADVISORY,
    description=(
        "A monitoring function derives CloudWatch alarms from each watched function's type and SLA: "
        "hosting (CloudFront 5xx rate), backup (failed jobs, missed RPO), network (NAT gateway port "
        "allocation, so only with nat: true) and data-exchange (failed SFTP transfers, so only with "
        "sftp: true). A watched function that gives no metric to alarm on would otherwise be "
        "unwatched in silence while the plan says it is on call."
    ),
    remediation=(
        "Remove the function from watches, or give it what can be watched (nat: true for a network, "
        "sftp: true for a data exchange), or waive this finding with the reason it is watched elsewhere."
    ),
    check=check,
    tags=("monitoring",),
)
