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

from typing import Any, Mapping

import pulumi

from provision.stacks.functions.base import FunctionComponent, FunctionContext
from provision.stacks.functions.security_policies import (
    CONFIG_PREFIX,
    GUARDDUTY_PREFIX,
    config_delivery_policy,
    config_trust_policy,
    logs_bucket_policy,
    security_key_policy,
    trail_arn,
    trail_bucket_policy,
)
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
CONFIG_MANAGED_POLICY = "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole"


def recipients(ctx: FunctionContext, alerts: Mapping[str, Any]) -> list[str]:
    """Who hears about findings: the plan's alert addresses and the provider's contacts."""
    return sorted(set(alerts.get("notify", ())) | set(ctx.plan.provider_of(ctx.function).contacts))


def build(ctx: FunctionContext) -> FunctionComponent:
    settings = ctx.function.settings
    services = set(settings["services"])
    retention = int(settings.get("trailRetentionDays", DEFAULT_RETENTION_DAYS))
    alerts = settings["alerts"]
    fn, account, region, tags = ctx.function.name, ctx.account_id, ctx.region, ctx.tags()

    component = FunctionComponent(ctx.function)
    opts = ctx.resource_opts(component)
    outputs: dict[str, Any] = {}

    trail_name = ctx.physical_name("trail", max_len=128)
    trail = trail_arn(region, account, trail_name) if "cloudtrail" in services else None
    key = KmsKey(
        f"{fn}-key",
        description=f"Security monitoring logs and alerts of {ctx.plan.name}/{fn}",
        key_policy=security_key_policy(account, services, trail),
        alias=f"alias/{ctx.physical_name('security', max_len=250)}",
        tags=tags,
        opts=opts,
    )
    outputs["kms_key_arn"] = key.arn

    if trail:
        bucket_name = ctx.physical_name("trail")
        bucket = S3Bucket(
            f"{fn}-trail-bucket",
            bucket_name=bucket_name,
            kms_key_arn=key.arn,
            versioning=True,
            block_public_access=True,
            lifecycle_expiration_days=retention,
            bucket_policy=trail_bucket_policy(bucket_name, account, trail),
            tags=tags,
            opts=opts,
        )
        CloudTrailTrail(
            f"{fn}-trail",
            name=trail_name,
            s3_bucket_name=bucket.bucket_name,
            is_multi_region=True,
            enable_log_file_validation=True,
            include_global_service_events=True,
            kms_key_id=key.arn,
            logging=True,
            tags=tags,
            opts=opts,
        )
        outputs.update(trail_arn=trail, trail_bucket=bucket.bucket_name)

    logs = None
    if services & {"guardduty", "config"}:
        logs_name = ctx.physical_name("security-logs")
        logs = S3Bucket(
            f"{fn}-logs-bucket",
            bucket_name=logs_name,
            kms_key_arn=key.arn,
            versioning=True,
            block_public_access=True,
            lifecycle_expiration_days=retention,
            bucket_policy=logs_bucket_policy(logs_name, account, region, services),
            tags=tags,
            opts=opts,
        )
        outputs["logs_bucket"] = logs.bucket_name

    if "guardduty" in services:
        detector = GuardDutyDetector(
            f"{fn}-guardduty",
            enable=True,
            # Frequent updates: a changed finding reaches EventBridge, and so the SOC, sooner.
            finding_publishing_frequency="FIFTEEN_MINUTES",
            features={"S3_DATA_EVENTS": True},
            destination_arn=logs.arn.apply(lambda arn: f"{arn}/{GUARDDUTY_PREFIX}"),
            destination_kms_key_arn=key.arn,
            tags=tags,
            opts=opts,
        )
        outputs["detector_id"] = detector.detector_id

    if "securityhub" in services:
        standards = standards_for(ctx.plan.compliance, region)
        hub = SecurityHubAccount(f"{fn}-securityhub", standards=standards, tags=tags, opts=opts)
        outputs.update(security_hub_arn=hub.arn, standards=standards)

    if "config" in services:
        role = IamRole(
            f"{fn}-config-role",
            role_name=ctx.physical_name("config", max_len=64),
            assume_role_policy=config_trust_policy(account),
            description=f"AWS Config recorder of {ctx.plan.name}/{fn}",
            managed_policy_arns=[CONFIG_MANAGED_POLICY],
            inline_policies={"deliver": key.arn.apply(lambda arn: config_delivery_policy(logs_name, account, arn))},
            tags=tags,
            opts=opts,
        )
        recorder = ConfigRecorder(
            f"{fn}-config",
            name=ctx.physical_name("config"),
            role_arn=role.arn,
            s3_bucket_name=logs.bucket_name,
            s3_key_prefix=CONFIG_PREFIX,
            s3_kms_key_arn=key.arn,
            include_global_resource_types=True,
            recording=True,
            tags=tags,
            opts=opts,
        )
        outputs["config_recorder"] = recorder.id

    topic = SnsTopic(
        f"{fn}-alerts",
        name=ctx.physical_name("alerts", max_len=256),
        kms_master_key_id=key.arn,
        publisher_services=["events.amazonaws.com"],
        email_subscriptions=recipients(ctx, alerts),
        tags=tags,
        opts=opts,
    )
    outputs["alerts_topic_arn"] = topic.arn
    outputs["finding_rules"] = _finding_rules(ctx, services, alerts["minSeverity"], trail_name, topic, opts)
    return component.finish(**outputs)


def _finding_rules(
    ctx: FunctionContext, services: set[str], min_severity: str, trail_name: str, topic: SnsTopic, opts: pulumi.ResourceOptions
) -> dict[str, pulumi.Output[str]]:
    """One EventBridge rule per finding source, all to the alerts topic; name -> rule ARN."""
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
        patterns["trail-tampering"] = ("Attempts to stop, delete or change the audit trail", trail_tampering_pattern(trail_name))
    rules = {}
    for source, (description, pattern) in patterns.items():
        rule = EventBridgeRule(
            f"{ctx.function.name}-{source}-rule",
            name=ctx.physical_name(source, max_len=64),
            description=description,
            event_pattern=pattern,
            targets={"alerts": topic.arn},
            tags=ctx.tags(),
            opts=opts,
        )
        rules[source] = rule.arn
    return rules
