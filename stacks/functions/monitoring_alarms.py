"""Which alarms watch a function: derived from its type, settings and SLA.

A pure derivation, so tests (and reviewers) can check that alarms follow the
plan's numbers: a hosting function with `availability: 99.9` alarms when
more than 0.1 % of CloudFront responses are 5xx; `errorRatePercent`, when
given, is the threshold itself. Dimension values that exist only once the
watched function is deployed are `OutputRef`s to its component outputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from provision.policies.plan_facts import nat_gateway_count
from provision.schemas import function_types
from provision.schemas.model import Function, Plan
from provision.stacks.global_regions import CLOUDFRONT_METRICS_REGION

# The availability a function is held to when its plan gives no SLA.
TIER_AVAILABILITY = {"critical": 99.9, "important": 99.5, "standard": 99.0}
TRANSFER_FAILURES = ("SFTP Server File Upload Failed", "SFTP Server File Download Failed")


@dataclass(frozen=True)
class OutputRef:
    """A value of the watched function's outputs: `outputs[key]`, or `outputs[key][index]`."""

    key: str
    index: int | None = None


@dataclass(frozen=True)
class AlarmSpec:
    """One CloudWatch alarm on one metric of a watched function."""

    key: str  # unique per monitoring function, e.g. "web-5xx"
    watched: str
    description: str
    namespace: str
    metric_name: str
    dimensions: Mapping[str, str | OutputRef]
    statistic: str
    period: int
    evaluation_periods: int
    threshold: float
    comparison_operator: str
    treat_missing_data: str = "notBreaching"
    datapoints_to_alarm: int | None = None
    # Where the metric lives when not in the plan's region (CloudFront: us-east-1).
    region: str | None = None
    # For an alarm on matched events: the EventBridge pattern whose rule it counts.
    event_pattern: Mapping[str, Any] | None = field(default=None, hash=False)


def error_budget_percent(function: Function) -> float:
    """The share of failed requests the SLA allows, in percent."""
    if function.sla.error_rate_percent is not None:
        return float(function.sla.error_rate_percent)
    availability = function.sla.availability
    if availability is None:
        availability = TIER_AVAILABILITY[function.tier]
    # Rounded: 100 - 99.9 is 0.09999999999999432 in floating point.
    return round(100.0 - float(availability), 6)


def alarm_specs(plan: Plan, watched: Function, account_id: str) -> list[AlarmSpec]:
    """The alarms that watch `watched`: its type's `alarms` (schemas.function_types; one of
    the *_alarms below for a built-in); none for types with nothing to alarm on."""
    derive = function_types.get(watched.type).alarms
    return function_types.resolve(derive)(plan, watched, account_id) if derive else []


def hosting_alarms(plan: Plan, fn: Function, account_id: str) -> list[AlarmSpec]:
    budget = error_budget_percent(fn)
    return [
        AlarmSpec(
            key=f"{fn.name}-5xx",
            watched=fn.name,
            description=f"{fn.name}: CloudFront 5xx error rate above {budget:g} % (SLA)",
            namespace="AWS/CloudFront",
            metric_name="5xxErrorRate",
            dimensions={"DistributionId": OutputRef("distribution_id"), "Region": "Global"},
            statistic="Average",
            period=300,
            # Two bad five-minute windows out of three: a blip is not an incident.
            evaluation_periods=3,
            datapoints_to_alarm=2,
            threshold=budget,
            comparison_operator="GreaterThanThreshold",
            region=CLOUDFRONT_METRICS_REGION,
        )
    ]


def backup_alarms(plan: Plan, fn: Function, account_id: str) -> list[AlarmSpec]:
    rpo_hours = int(fn.settings["rpoHours"])
    on_vault: dict[str, Any] = {
        "watched": fn.name,
        "namespace": "AWS/Backup",
        "dimensions": {"BackupVaultName": OutputRef("vault_name")},
        "statistic": "Sum",
        "period": 3600,
    }
    return [
        AlarmSpec(
            key=f"{fn.name}-failed-jobs",
            description=f"{fn.name}: a backup job failed",
            metric_name="NumberOfBackupJobsFailed",
            evaluation_periods=1,
            threshold=0,
            comparison_operator="GreaterThanThreshold",
            **on_vault,
        ),
        AlarmSpec(
            key=f"{fn.name}-rpo",
            description=f"{fn.name}: no completed backup for {rpo_hours} h (RPO)",
            metric_name="NumberOfBackupJobsCompleted",
            # Every hour of the RPO window without a completed job.
            evaluation_periods=rpo_hours,
            datapoints_to_alarm=rpo_hours,
            threshold=1,
            comparison_operator="LessThanThreshold",
            treat_missing_data="breaching",
            **on_vault,
        ),
    ]


def network_alarms(plan: Plan, fn: Function, account_id: str) -> list[AlarmSpec]:
    return [
        AlarmSpec(
            key=f"{fn.name}-nat-{i}-ports",
            watched=fn.name,
            description=f"{fn.name}: NAT gateway {i + 1} cannot allocate source ports",
            namespace="AWS/NATGateway",
            metric_name="ErrorPortAllocation",
            dimensions={"NatGatewayId": OutputRef("nat_gateway_ids", i)},
            statistic="Sum",
            period=300,
            evaluation_periods=1,
            threshold=0,
            comparison_operator="GreaterThanThreshold",
        )
        for i in range(nat_gateway_count(fn))
    ]


def transfer_failures_pattern(bucket: str) -> dict[str, Any]:
    """Transfer Family's failed SFTP uploads and downloads into/out of `bucket`."""
    return {
        "source": ["aws.transfer"],
        "detail-type": list(TRANSFER_FAILURES),
        "detail": {"file-path": [{"prefix": f"/{bucket}/"}]},
    }


def exchange_alarms(plan: Plan, fn: Function, account_id: str) -> list[AlarmSpec]:
    if not fn.settings.get("sftp", False):
        return []
    # Imported here: the data-exchange program imports the providers, this module stays light.
    from provision.stacks.functions.data_exchange import drop_zone_bucket_name

    bucket = drop_zone_bucket_name(plan, fn.name, account_id)
    return [
        AlarmSpec(
            key=f"{fn.name}-sftp-failures",
            watched=fn.name,
            description=f"{fn.name}: SFTP transfers failed",
            namespace="AWS/Events",
            metric_name="MatchedEvents",
            dimensions={},  # RuleName: filled in with the rule made for event_pattern
            statistic="Sum",
            period=300,
            evaluation_periods=1,
            threshold=0,
            comparison_operator="GreaterThanThreshold",
            event_pattern=transfer_failures_pattern(bucket),
        )
    ]


def watch_gap(fn: Function) -> str | None:
    """Why watching `fn` gives no alarm; None when it gets at least one (see alarm_specs)."""
    declared = function_types.get(fn.type)
    if declared.alarms is None:
        return declared.no_alarms_because
    if fn.type == "network" and not nat_gateway_count(fn):
        return "a network without NAT gateways (nat: false) has no metric to alarm on"
    if fn.type == "data-exchange" and not fn.settings.get("sftp", False):
        return "a data exchange without SFTP (sftp: false) has no failure metric to alarm on"
    return None


def alarm_regions(plan: Plan, fn: Function) -> set[str]:
    """Regions other than the plan's where watching `fn` puts alarms (CloudFront's metrics: us-east-1)."""
    regions = {CLOUDFRONT_METRICS_REGION} if fn.type == "hosting" else set()
    return regions - {plan.region}
