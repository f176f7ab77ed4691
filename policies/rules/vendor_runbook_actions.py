"""PRV-IAM-001: runbook actions granted to vendors cannot escalate, destroy or read data."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.schemas.model import Plan


def forbidden_match(action: str, patterns: list[str]) -> str | None:
    # IAM action names are case-insensitive.
    return next((p for p in patterns if fnmatchcase(action.lower(), p.lower())), None)


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    for function in plan.functions_of_type("monitoring"):
        vendor = plan.provider_of(function)
        if not vendor.external:
            continue
        for index, action in enumerate(function.settings.get("runbookActions", ())):
            pattern = forbidden_match(action, params["forbiddenActions"])
            if pattern:
                yield Violation(
                    f"monitoring function '{function.name}' lets external provider '{vendor.name}' "
                    f"run {action}, which matches forbidden pattern {pattern}",
                    function.settings_path + ("runbookActions", index),
                    function.name,
                )


POLICY = Policy(
    id="PRV-IAM-001",
    title="Vendor runbook actions are least privilege",
    enforcement=Enforcement.MANDATORY,
    description=(
        "monitoring.runbookActions become IAM permissions on the external provider's cross-account "
        "role. Operations runbooks restart and scale things; they never need to change identities "
        "(iam:*, sts:*, organizations:*), switch off the audit trail, delete or terminate "
        "resources, manage keys, or read stored data. Each action is matched, case-insensitively, "
        "against the forbiddenActions glob patterns. Sessions on vendor roles are capped at one "
        "hour by the provisioning program itself and need an ExternalId, so the plan cannot "
        "loosen them and no policy is needed for that."
    ),
    remediation=(
        "Remove the action from runbookActions, or run that step in your own account after the "
        "vendor escalates."
    ),
    check=check,
    params={
        "forbiddenActions": [
            "iam:*",
            "sts:*",
            "organizations:*",
            "kms:*",
            "*:Delete*",
            "ec2:TerminateInstances",
            "cloudtrail:StopLogging",
            "cloudtrail:UpdateTrail",
            "guardduty:UpdateDetector",
            "config:StopConfigurationRecorder",
            "s3:GetObject*",
            "s3:PutBucketPolicy",
            "secretsmanager:GetSecretValue",
            "ssm:GetParameter*",
        ]
    },
    tags=("iam", "vendor"),
)
