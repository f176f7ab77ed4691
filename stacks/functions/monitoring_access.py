"""What an operations provider may do: read, plus exactly the plan's runbook actions.

- Reads never reach data (no s3:GetObject): configuration and state of the
  watched functions' own resources, named by their component outputs, and
  the few read-only actions AWS cannot scope (iam_policies.UNSCOPED_READ_ACTIONS).
- Each runbook action (e.g. "cloudfront:CreateInvalidation") is allowed on
  the watched functions' resources of that service (their ARNs) when the
  functions' own resources are what such actions act on (ARN_SCOPED_SERVICES),
  and not at all when no watched function has a resource of that service;
  otherwise (e.g. "ec2:RebootInstances": instances are not ours, the VPC is)
  on that service's resources in this account and region that carry the
  plan's and a watched function's tags.
Every statement keeps iam_policies' rules (see its module docstring).
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from provision.schemas.model import Function
from provision.stacks.tags import TAG_ENVIRONMENT, TAG_FUNCTION, TAG_PLAN
from provision.stacks.functions.iam_policies import Scope, Statement, statement

ALARM_READS = ("cloudwatch:DescribeAlarms", "cloudwatch:GetMetricData", "cloudwatch:ListMetrics")
# Per watched type: read-only actions AWS cannot scope to a resource.
UNSCOPED_READS = {
    "backup": ("backup:ListBackupJobs", "backup:ListCopyJobs", "backup:ListRestoreJobs"),
    "network": (
        "ec2:DescribeFlowLogs",
        "ec2:DescribeInternetGateways",
        "ec2:DescribeNatGateways",
        "ec2:DescribeRouteTables",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
        "logs:GetQueryResults",
    ),
    "security-monitoring": ("cloudtrail:LookupEvents",),
}
# Per watched type: (output naming an ARN, read-only actions on it).
SCOPED_READS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "hosting": (
        ("distribution_arn", ("cloudfront:GetDistribution", "cloudfront:GetInvalidation", "cloudfront:ListInvalidations")),
        ("bucket_arn", ("s3:GetBucketLocation", "s3:GetBucketLogging", "s3:GetBucketVersioning", "s3:GetEncryptionConfiguration")),
    ),
    "backup": (
        ("vault_arn", ("backup:DescribeBackupVault", "backup:ListRecoveryPointsByBackupVault")),
        ("plan_arn", ("backup:GetBackupPlan", "backup:ListBackupSelections")),
    ),
    "data-exchange": (
        ("server_arn", ("transfer:DescribeServer", "transfer:ListUsers")),
        ("bucket_arn", ("s3:GetBucketLocation", "s3:GetEncryptionConfiguration", "s3:GetLifecycleConfiguration")),
    ),
    "security-monitoring": (("trail_arn", ("cloudtrail:GetEventSelectors", "cloudtrail:GetTrailStatus")),),
}
# Services whose runbook actions act on the resources the functions publish ARNs of.
ARN_SCOPED_SERVICES = frozenset({"backup", "cloudfront", "cloudwatch", "logs", "s3", "sns", "transfer"})
FLOW_LOG_READS = ("logs:DescribeLogStreams", "logs:FilterLogEvents", "logs:GetLogEvents", "logs:StartQuery")


def _sid(text: str) -> str:
    """A statement id fragment: "distribution_arn" -> "DistributionArn" (IAM Sids are alphanumeric)."""
    parts = text.replace("_", "-").replace(":", "-").split("-")
    return "".join(p[0].upper() + p[1:] for p in parts if p.isalnum())


def read_statements(
    watched: Sequence[Function], outputs: Mapping[str, Mapping[str, Any]], alarm_arns: Sequence[str], scope: Scope
) -> list[Statement]:
    """Read access to the watched functions (their `outputs`, by name) and to the alarms on them."""
    unscoped = set(ALARM_READS)
    statements = []
    for fn in watched:
        unscoped.update(UNSCOPED_READS.get(fn.type, ()))
        for key, actions in SCOPED_READS.get(fn.type, ()):
            if outputs[fn.name].get(key):
                statements.append(statement(f"Read{_sid(fn.name)}{_sid(key)}", actions, [outputs[fn.name][key]]))
        if fn.type == "network" and outputs[fn.name].get("flow_log_group"):
            group = f"arn:aws:logs:{scope.region}:{scope.account_id}:log-group:{outputs[fn.name]['flow_log_group']}"
            statements.append(statement(f"Read{_sid(fn.name)}FlowLogs", FLOW_LOG_READS, [group, f"{group}:*"]))
    if alarm_arns:
        statements.append(statement("ReadAlarmHistory", ["cloudwatch:DescribeAlarmHistory"], list(alarm_arns)))
    return [statement("ReadUnscoped", unscoped, "*"), *statements]


def watched_arns(outputs: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Every ARN the watched functions publish as a plain output."""
    return sorted(
        {v for o in outputs.values() for v in o.values() if isinstance(v, str) and v.startswith("arn:")}
    )


def _resources_of(arns: Iterable[str], service: str) -> list[str]:
    found = set()
    for arn in arns:
        if arn.split(":")[2] == service:
            found.add(arn)
            if service == "s3":
                found.add(f"{arn}/*")  # object-level actions name objects, not the bucket
    return sorted(found)


def runbook_statements(actions: Sequence[str], watched: Sequence[str], arns: Sequence[str], scope: Scope) -> list[Statement]:
    """One statement per runbook action, scoped as the module docstring says."""
    statements = []
    for action in sorted(set(actions)):
        service = action.split(":", 1)[0].lower()
        sid = f"Runbook{_sid(action)}"
        if service in ARN_SCOPED_SERVICES:
            # Only the watched functions' own resources; none of that service watched: nothing to act on,
            # so nothing granted (a tag-scoped wildcard would still reach resources the plan never made).
            resources = _resources_of(arns, service)
            if resources:
                statements.append(statement(sid, [action], resources))
            continue
        condition = {
            "StringEquals": {
                f"aws:ResourceTag/{TAG_PLAN}": scope.plan.name,
                f"aws:ResourceTag/{TAG_ENVIRONMENT}": scope.plan.environment,
                f"aws:ResourceTag/{TAG_FUNCTION}": sorted(watched),
            }
        }
        statements.append(statement(sid, [action], [f"arn:aws:{service}:{scope.region}:{scope.account_id}:*"], condition))
    return statements
