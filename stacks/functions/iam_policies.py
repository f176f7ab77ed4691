"""Least-privilege IAM policy statements for operating each function type.

`statements_for(function, outputs, scope)` gives what whoever operates a
function (a vendor's cross-account role, a runbook) needs, scoped to that
function's own resources, named by the outputs of its component:

| type                | outputs read (required; optional)                                       |
| ------------------- | ----------------------------------------------------------------------- |
| hosting             | bucket_arn, distribution_arn, kms_key_arn                               |
| backup              | vault_arn, plan_arn, backup_role_arn; copy_vault_arn                    |
| security-monitoring | ; kms_key_arn, trail_arn, trail_bucket, logs_bucket, detector_id,       |
|                     |   security_hub_arn (each present only for the services the plan uses)   |
| network             | flow_log_group                                                          |
| monitoring          | ; alarm_arns (runbookActions come from the plan, scoped by tags)        |
| data-exchange       | bucket_arn, kms_key_arn                                                 |

Rules every statement here keeps (verify's policy_documents audits them on the live roles):
no "*" or "service:*" action; "Resource": "*" only for the read-only actions
in UNSCOPED_READ_ACTIONS, for which AWS has no resource-level permissions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from provision.schemas import function_types
from provision.schemas.model import Function, Plan
from provision.stacks.tags import TAG_ENVIRONMENT, TAG_FUNCTION, TAG_PLAN

Statement = dict[str, Any]

# Read-only actions AWS cannot scope to a resource; the only ones allowed on "*".
UNSCOPED_READ_ACTIONS = frozenset(
    {
        "backup:ListBackupJobs",
        "backup:ListCopyJobs",
        "backup:ListRestoreJobs",
        "cloudtrail:LookupEvents",
        "cloudwatch:DescribeAlarms",
        "cloudwatch:GetMetricData",
        "cloudwatch:ListMetrics",
        "config:DescribeComplianceByConfigRule",
        "config:DescribeConfigurationRecorderStatus",
        "ec2:DescribeFlowLogs",
        "ec2:DescribeInternetGateways",
        "ec2:DescribeNatGateways",
        "ec2:DescribeNetworkAcls",
        "ec2:DescribeRouteTables",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
        "logs:GetQueryResults",
    }
)

# Never granted, and denied by every vendor permissions boundary: actions that
# would let an operator widen its own access or blind the organisation.
GUARD_RAIL_DENIES = (
    "backup:DeleteBackupPlan",
    "backup:DeleteBackupVault",
    "backup:DeleteBackupVaultLockConfiguration",
    "backup:DeleteRecoveryPoint",
    "cloudtrail:DeleteTrail",
    "cloudtrail:StopLogging",
    "cloudtrail:UpdateTrail",
    "config:DeleteConfigurationRecorder",
    "config:StopConfigurationRecorder",
    "guardduty:DeleteDetector",
    "guardduty:DisassociateFromMasterAccount",
    "guardduty:UpdateDetector",
    "iam:AttachRolePolicy",
    "iam:CreateAccessKey",
    "iam:CreateRole",
    "iam:CreateUser",
    "iam:DeleteRolePermissionsBoundary",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:UpdateAssumeRolePolicy",
    "kms:DisableKey",
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
    "organizations:LeaveOrganization",
    "s3:DeleteBucket",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketPolicy",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutEncryptionConfiguration",
    "securityhub:DisableSecurityHub",
)


class MissingOutput(Exception):
    """A function's component lacks an output its policy must be scoped to."""


@dataclass(frozen=True)
class Scope:
    """Where the function's resources live."""

    plan: Plan
    account_id: str
    region: str
    # The vendor the statements are for, where access differs per vendor (data-exchange prefixes).
    provider: str | None = None


def statement(
    sid: str, actions: Iterable[str], resources: str | Sequence[str], condition: Mapping[str, Any] | None = None
) -> Statement:
    result: Statement = {"Sid": sid, "Effect": "Allow", "Action": sorted(set(actions))}
    result["Resource"] = resources if isinstance(resources, str) else sorted(set(resources))
    if condition:
        result["Condition"] = dict(condition)
    return result


def document(statements: Iterable[Statement]) -> str:
    """A policy document (JSON) from statements."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, sort_keys=True)


def guard_rail_boundary(statements: Iterable[Statement]) -> str:
    """A permissions boundary: at most the actions and resources of `statements`,
    and never GUARD_RAIL_DENIES, whatever policy is attached later.

    It is coarser than the statements (their action/resource pairs and
    conditions are merged) so that it stays well under the 6,144-character
    limit of a managed policy; the inline policies keep the exact pairing.
    """
    scoped_actions: set[str] = set()
    scoped_resources: set[str] = set()
    unscoped_actions: set[str] = set()
    for stmt in statements:
        resources = [stmt["Resource"]] if isinstance(stmt["Resource"], str) else stmt["Resource"]
        if resources == ["*"]:
            unscoped_actions.update(stmt["Action"])
        else:
            scoped_actions.update(stmt["Action"])
            scoped_resources.update(resources)
    bounded = []
    if scoped_actions:
        bounded.append(statement("AtMostTheseResources", scoped_actions, scoped_resources))
    if unscoped_actions:
        bounded.append(statement("AtMostTheseReads", unscoped_actions, "*"))
    deny = {"Sid": "GuardRails", "Effect": "Deny", "Action": list(GUARD_RAIL_DENIES), "Resource": "*"}
    return document([*bounded, deny])


def _need(function: Function, outputs: Mapping[str, Any], key: str) -> Any:
    value = outputs.get(key)
    if not value:
        raise MissingOutput(
            f"function '{function.name}' ({function.type}) has no output '{key}' to scope its access policy to"
        )
    return value


def _via_s3(scope: Scope) -> dict[str, Any]:
    return {"StringEquals": {"kms:ViaService": f"s3.{scope.region}.amazonaws.com"}}


def _bucket_name(value: str) -> str:
    return value.removeprefix("arn:aws:s3:::")


def hosting(function: Function, o: Mapping[str, Any], scope: Scope) -> list[Statement]:
    """Publish site content and invalidate the CDN cache."""
    bucket = _need(function, o, "bucket_arn")
    return [
        statement("ListSite", ["s3:GetBucketLocation", "s3:ListBucket"], [bucket]),
        statement(
            "PublishSite", ["s3:DeleteObject", "s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"], [f"{bucket}/*"]
        ),
        statement(
            "UseSiteKey",
            ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
            [_need(function, o, "kms_key_arn")],
            _via_s3(scope),
        ),
        statement(
            "InvalidateCache",
            [
                "cloudfront:CreateInvalidation",
                "cloudfront:GetDistribution",
                "cloudfront:GetInvalidation",
                "cloudfront:ListInvalidations",
            ],
            [_need(function, o, "distribution_arn")],
        ),
        statement("ReadMetrics", ["cloudwatch:GetMetricData", "cloudwatch:ListMetrics"], "*"),
    ]


def backup(function: Function, o: Mapping[str, Any], scope: Scope) -> list[Statement]:
    """Watch jobs, run on-demand backups and restores; never delete recovery points."""
    vaults = [_need(function, o, "vault_arn")] + ([o["copy_vault_arn"]] if o.get("copy_vault_arn") else [])
    recovery_points = f"arn:aws:backup:{scope.region}:{scope.account_id}:recovery-point:*"
    return [
        statement("InspectVaults", ["backup:DescribeBackupVault", "backup:ListRecoveryPointsByBackupVault"], vaults),
        statement(
            "InspectPlan", ["backup:GetBackupPlan", "backup:ListBackupSelections"], [_need(function, o, "plan_arn")]
        ),
        statement("StartBackups", ["backup:StartBackupJob"], vaults[:1]),
        statement("StartRestores", ["backup:DescribeRecoveryPoint", "backup:StartRestoreJob"], [recovery_points]),
        statement(
            "PassBackupRole",
            ["iam:PassRole"],
            [_need(function, o, "backup_role_arn")],
            {"StringEquals": {"iam:PassedToService": "backup.amazonaws.com"}},
        ),
        statement("ReadJobs", ["backup:ListBackupJobs", "backup:ListCopyJobs", "backup:ListRestoreJobs"], "*"),
    ]


def security_monitoring(function: Function, o: Mapping[str, Any], scope: Scope) -> list[Statement]:
    """Triage findings and read the audit trail, for the services the plan enabled."""
    region, account = scope.region, scope.account_id
    statements = [statement("LookupEvents", ["cloudtrail:LookupEvents"], "*")]
    if o.get("trail_arn"):
        statements.append(
            statement("ReadTrail", ["cloudtrail:GetEventSelectors", "cloudtrail:GetTrailStatus"], [o["trail_arn"]])
        )
    buckets = [f"arn:aws:s3:::{_bucket_name(o[k])}" for k in ("trail_bucket", "logs_bucket") if o.get(k)]
    if buckets:
        statements.append(statement("ListLogs", ["s3:ListBucket"], buckets))
        statements.append(statement("ReadLogs", ["s3:GetObject"], [f"{b}/*" for b in buckets]))
    if o.get("kms_key_arn"):
        statements.append(statement("DecryptLogs", ["kms:Decrypt"], [o["kms_key_arn"]], _via_s3(scope)))
    if o.get("detector_id"):
        statements.append(
            statement(
                "TriageGuardDuty",
                ["guardduty:ArchiveFindings", "guardduty:GetDetector", "guardduty:GetFindings", "guardduty:ListFindings",
                 "guardduty:UnarchiveFindings", "guardduty:UpdateFindingsFeedback"],
                [f"arn:aws:guardduty:{region}:{account}:detector/{o['detector_id']}"],
            )
        )  # fmt: skip
    if o.get("security_hub_arn"):
        statements.append(
            statement(
                "TriageSecurityHub",
                ["securityhub:BatchUpdateFindings", "securityhub:GetFindings"],
                [o["security_hub_arn"]],
            )
        )
    if o.get("config_recorder"):
        statements.append(
            statement(
                "ReadConfig",
                ["config:DescribeComplianceByConfigRule", "config:DescribeConfigurationRecorderStatus"],
                "*",
            )
        )
    return statements


def network(function: Function, o: Mapping[str, Any], scope: Scope) -> list[Statement]:
    """Inspect the network and read its flow logs."""
    group = f"arn:aws:logs:{scope.region}:{scope.account_id}:log-group:{_need(function, o, 'flow_log_group')}"
    describe = [a for a in UNSCOPED_READ_ACTIONS if a.startswith("ec2:Describe")]
    return [
        statement("DescribeNetwork", describe, "*"),
        statement(
            "ReadFlowLogs",
            ["logs:DescribeLogStreams", "logs:FilterLogEvents", "logs:GetLogEvents", "logs:StartQuery"],
            [group, f"{group}:*"],
        ),
        statement("ReadQueryResults", ["logs:GetQueryResults"], "*"),
    ]


# Services whose ARNs carry no region, or neither region nor account (S3 buckets, Route 53 zones):
# a grant built as arn:aws:{service}:{region}:{account}:* never matches their resources.
_NO_REGION = frozenset({"cloudfront", "iam", "sts", "organizations", "waf", "globalaccelerator", "shield"})
_NO_REGION_NO_ACCOUNT = frozenset({"s3", "route53"})


def service_arn_pattern(service: str, scope: Scope) -> str:
    """Every resource of `service` in this account (and region, for regional services), as an ARN glob."""
    if service in _NO_REGION_NO_ACCOUNT:
        return f"arn:aws:{service}:::*"
    if service in _NO_REGION:
        return f"arn:aws:{service}::{scope.account_id}:*"
    return f"arn:aws:{service}:{scope.region}:{scope.account_id}:*"


def monitoring(function: Function, o: Mapping[str, Any], scope: Scope) -> list[Statement]:
    """Read alarms and metrics; run the plan's runbook actions on watched functions only."""
    statements = [
        statement(
            "ReadAlarms", ["cloudwatch:DescribeAlarms", "cloudwatch:GetMetricData", "cloudwatch:ListMetrics"], "*"
        )
    ]
    if o.get("alarm_arns"):
        statements.append(statement("ReadAlarmHistory", ["cloudwatch:DescribeAlarmHistory"], list(o["alarm_arns"])))
    actions = list(function.settings.get("runbookActions", ()))
    if actions:
        services = sorted({a.split(":", 1)[0] for a in actions})
        statements.append(
            statement(
                "RunbookActions",
                actions,
                # Any resource of this account (and region), but only if tagged as a watched function of this plan.
                [service_arn_pattern(service, scope) for service in services],
                {
                    "StringEquals": {
                        f"aws:ResourceTag/{TAG_PLAN}": scope.plan.name,
                        f"aws:ResourceTag/{TAG_ENVIRONMENT}": scope.plan.environment,
                        f"aws:ResourceTag/{TAG_FUNCTION}": sorted(function.settings.get("watches", ())),
                    }
                },
            )
        )
    return statements


def data_exchange(function: Function, o: Mapping[str, Any], scope: Scope) -> list[Statement]:
    """Drop and pick up files under the vendor's own prefix of the exchange bucket; expiry does the deleting."""
    bucket = _need(function, o, "bucket_arn")
    prefix = (o.get("partner_prefixes") or {}).get(scope.provider or "", "")
    listing = {"StringLike": {"s3:prefix": [f"{prefix}*"]}} if prefix else None
    return [
        statement("LocateExchange", ["s3:GetBucketLocation"], [bucket]),
        statement("ListExchange", ["s3:ListBucket"], [bucket], listing),
        statement("ExchangeFiles", ["s3:GetObject", "s3:PutObject"], [f"{bucket}/{prefix}*"]),
        statement(
            "UseExchangeKey",
            ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
            [_need(function, o, "kms_key_arn")],
            _via_s3(scope),
        ),
    ]


def statements_for(function: Function, outputs: Mapping[str, Any], scope: Scope) -> list[Statement]:
    """The statements operating `function` needs, scoped to its component's `outputs`
    (its type's `access`, schemas.function_types; one of the functions above for a built-in)."""
    access = function_types.get(function.type).access
    if access is None:
        raise ValueError(f"function type '{function.type}' declares no access: no vendor may operate '{function.name}'")
    return function_types.resolve(access)(function, outputs, scope)
