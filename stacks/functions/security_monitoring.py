"""The security-monitoring function: detection, audit trail, posture, alerting.

From the function's `securityMonitoring` section:
- one KMS key (rotated) encrypts everything below;
- cloudtrail: a multi-region trail with log file validation and KMS, in its
  own private, versioned bucket that only this trail may write to, and whose
  objects expire after `trailRetentionDays`;
- guardduty: a detector exporting findings to the security-logs bucket;
- securityhub: the hub with the standards the plan's compliance regimes call
  for (see providers.securityhub_account);
- config: a recorder of every resource type, with its service role, delivering
  to the security-logs bucket;
- alerts: findings at or above `alerts.minSeverity` (and any attempt to stop or
  delete the trail) go through EventBridge to a KMS-encrypted SNS topic that
  `alerts.notify` and the provider's contacts subscribe to.

The policy documents live in stacks.functions.security_policies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import pulumi

from provision.stacks.functions.base import FunctionComponent, FunctionContext
from provision.stacks.functions.security_policies import (
    CONFIG_PREFIX,
    GUARDDUTY_PREFIX,
    config_delivery_policy,
    logs_bucket_policy,
    security_key_policy,
    trail_arn,
    trail_bucket_policy,
)
from provision.stacks.functions.service_roles import service_trust_policy
from provision.stacks.providers.cloudtrail_trail import CloudTrailTrail
from provision.stacks.providers.config_recorder import ConfigRecorder
from provision.stacks.providers.eventbridge_rule import (
    EventBridgeRule,
    guardduty_findings_pattern,
    securityhub_findings_pattern,
    trail_tampering_pattern,
)
from provision.stacks.providers.guardduty_detector import GuardDutyDetector
from provision.stacks.providers.iam_role import IamRole
from provision.stacks.providers.kms_key import KmsKey
from provision.stacks.providers.s3_bucket import S3Bucket
from provision.stacks.providers.securityhub_account import SecurityHubAccount, standards_for
from provision.stacks.providers.sns_topic import SnsTopic

DEFAULT_RETENTION_DAYS = 365
CONFIG_MANAGED_POLICY = "arn:{partition}:iam::aws:policy/service-role/AWS_ConfigRole"


def recipients(ctx: FunctionContext, alerts: Mapping[str, Any]) -> list[str]:
    """Who hears about findings: the plan's alert addresses and the provider's contacts."""
    return sorted(set(alerts.get("notify", ())) | set(ctx.plan.provider_of(ctx.function).contacts))


@dataclass(frozen=True)
class _Scope:
    """What every resource of the function shares: its context, parent, key and retention."""

    ctx: FunctionContext
    opts: pulumi.ResourceOptions
    key: KmsKey
    retention: int

    def resource(self, suffix: str) -> str:
        return f"{self.ctx.function.name}-{suffix}"

    @property
    def account(self) -> str:
        return self.ctx.account_id

    @property
    def tags(self) -> dict[str, str]:
        return self.ctx.tags()

    def log_bucket(self, suffix: str, bucket_name: str, policy: str) -> S3Bucket:
        """Private, versioned, encrypted with the key; objects expire after the retention."""
        return S3Bucket(
            self.resource(suffix),
            bucket_name=bucket_name,
            kms_key_arn=self.key.arn,
            versioning=True,
            block_public_access=True,
            lifecycle_expiration_days=self.retention,
            bucket_policy=policy,
            tags=self.tags,
            opts=self.opts,
        )


def build(ctx: FunctionContext) -> FunctionComponent:
    settings = ctx.function.settings
    services = set(settings["services"])
    component = FunctionComponent(ctx.function)
    opts = ctx.resource_opts(component)

    trail_name = ctx.physical_name("trail", kind="cloudtrail-trail")
    trail = trail_arn(ctx.region, ctx.account_id, trail_name, ctx.partition) if "cloudtrail" in services else None
    key = KmsKey(
        f"{ctx.function.name}-key",
        description=f"Security monitoring logs and alerts of {ctx.plan.name}/{ctx.function.name}",
        key_policy=security_key_policy(ctx.account_id, services, trail, ctx.partition),
        alias=f"alias/{ctx.physical_name('security', kind='kms-alias')}",
        tags=ctx.tags(),
        opts=opts,
    )
    scope = _Scope(ctx, opts, key, int(settings.get("trailRetentionDays", DEFAULT_RETENTION_DAYS)))
    outputs: dict[str, Any] = {"kms_key_arn": key.arn}

    if trail:
        outputs.update(_trail(scope, trail_name, trail))
    if services & {"guardduty", "config"}:
        logs_name = ctx.physical_name("security-logs", kind="s3-bucket")
        logs = scope.log_bucket(
            "logs-bucket", logs_name, logs_bucket_policy(logs_name, ctx.account_id, ctx.region, services, ctx.partition)
        )
        outputs["logs_bucket"] = logs.bucket_name
        if "guardduty" in services:
            outputs["detector_id"] = _guardduty(scope, logs).detector_id
        if "config" in services:
            outputs["config_recorder"] = _config(scope, logs, logs_name).id
    if "securityhub" in services:
        standards = standards_for(ctx.plan.compliance, ctx.region)  # in the region's partition
        hub = SecurityHubAccount(scope.resource("securityhub"), standards=standards, tags=scope.tags, opts=opts)
        outputs.update(security_hub_arn=hub.arn, standards=standards)

    alerts = settings["alerts"]
    topic = SnsTopic(
        scope.resource("alerts"),
        name=ctx.physical_name("alerts", kind="sns-topic"),
        kms_master_key_id=key.arn,
        publisher_services=["events.amazonaws.com"],
        email_subscriptions=recipients(ctx, alerts),
        tags=scope.tags,
        opts=opts,
    )
    outputs["alerts_topic_arn"] = topic.arn
    outputs["finding_rules"] = _finding_rules(scope, services, alerts["minSeverity"], trail_name, topic)
    return component.finish(**outputs)


def _trail(scope: _Scope, name: str, arn: str) -> dict[str, Any]:
    bucket_name = scope.ctx.physical_name("trail", kind="s3-bucket")
    bucket = scope.log_bucket("trail-bucket", bucket_name, trail_bucket_policy(bucket_name, scope.account, arn, scope.ctx.partition))
    CloudTrailTrail(
        scope.resource("trail"),
        name=name,
        s3_bucket_name=bucket.bucket_name,
        is_multi_region=True,
        enable_log_file_validation=True,
        include_global_service_events=True,
        kms_key_id=scope.key.arn,
        logging=True,
        tags=scope.tags,
        opts=scope.opts,
    )
    return {"trail_arn": arn, "trail_bucket": bucket.bucket_name}


def _guardduty(scope: _Scope, logs: S3Bucket) -> GuardDutyDetector:
    return GuardDutyDetector(
        scope.resource("guardduty"),
        enable=True,
        # Frequent updates: a changed finding reaches EventBridge, and so the SOC, sooner.
        finding_publishing_frequency="FIFTEEN_MINUTES",
        features={"S3_DATA_EVENTS": True},
        # GuardDuty takes a folder as its ARN with the trailing slash.
        destination_arn=logs.arn.apply(lambda arn: f"{arn}/{GUARDDUTY_PREFIX}/"),
        destination_kms_key_arn=scope.key.arn,
        tags=scope.tags,
        opts=scope.opts,
    )


def _config(scope: _Scope, logs: S3Bucket, logs_name: str) -> ConfigRecorder:
    ctx = scope.ctx
    role = IamRole(
        scope.resource("config-role"),
        role_name=ctx.physical_name("config", kind="iam-role"),
        assume_role_policy=service_trust_policy("config.amazonaws.com", scope.account),
        description=f"AWS Config recorder of {ctx.plan.name}/{ctx.function.name}",
        managed_policy_arns=[CONFIG_MANAGED_POLICY.format(partition=scope.ctx.partition)],
        inline_policies={"deliver": scope.key.arn.apply(lambda arn: config_delivery_policy(logs_name, scope.account, arn, scope.ctx.partition))},
        tags=scope.tags,
        opts=scope.opts,
    )
    return ConfigRecorder(
        scope.resource("config"),
        name=ctx.physical_name("config", kind="config-recorder"),
        role_arn=role.arn,
        s3_bucket_name=logs.bucket_name,
        s3_key_prefix=CONFIG_PREFIX,
        s3_kms_key_arn=scope.key.arn,
        include_global_resource_types=True,
        recording=True,
        tags=scope.tags,
        opts=scope.opts,
    )


def _finding_rules(
    scope: _Scope, services: set[str], min_severity: str, trail_name: str, topic: SnsTopic
) -> dict[str, pulumi.Output[str]]:
    """One EventBridge rule per finding source, all to the alerts topic; source -> rule ARN."""
    patterns: dict[str, tuple[str, dict[str, Any]]] = {}
    if "guardduty" in services:
        patterns["guardduty"] = (f"GuardDuty findings, {min_severity} and above", guardduty_findings_pattern(min_severity))
    if "securityhub" in services:
        # GuardDuty findings also reach Security Hub; route each finding once.
        exclude = ("GuardDuty",) if "guardduty" in services else ()
        patterns["securityhub"] = (
            f"Security Hub findings, {min_severity} and above",
            securityhub_findings_pattern(min_severity, exclude),
        )
    if "cloudtrail" in services:
        patterns["trail-tampering"] = (
            "Attempts to stop, delete or change the audit trail",
            trail_tampering_pattern(trail_name),
        )
    rules = {}
    for source, (description, pattern) in patterns.items():
        rule = EventBridgeRule(
            scope.resource(f"{source}-rule"),
            name=scope.ctx.physical_name(source, kind="eventbridge-rule"),
            description=description,
            event_pattern=pattern,
            targets={"alerts": topic.arn},
            tags=scope.tags,
            opts=scope.opts,
        )
        rules[source] = rule.arn
    return rules
