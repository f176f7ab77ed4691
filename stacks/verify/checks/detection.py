"""Detection services: the trail logs everywhere, verifiably and encrypted;
GuardDuty is on; Security Hub runs the standards the compliance regimes call
for; the Config recorder records."""

from __future__ import annotations

from typing import Any, Iterator

from botocore.exceptions import ClientError

from provision.stacks.providers.base import error_code
from provision.stacks.providers.securityhub_account import NO_HUB, standards_for
from provision.stacks.verify.model import LiveResource, Outcome, VerifyContext, check, fail, ok

# Subscription states in which a standard is (being) applied.
ACTIVE_STANDARD_STATES = frozenset({"READY", "PENDING", "INCOMPLETE"})


def _trail(res: LiveResource, ctx: VerifyContext) -> dict[str, Any]:
    return ctx.client("cloudtrail", res).get_trail(Name=res.arn)["Trail"]


@check("cloudtrail.logging")
def trail_logging(res: LiveResource, ctx: VerifyContext) -> Iterator[Outcome]:
    """The trail is logging."""
    if ctx.client("cloudtrail", res).get_trail_status(Name=res.arn)["IsLogging"]:
        yield ok("logging")
    else:
        yield fail("logging is stopped")


@check("cloudtrail.log-validation")
def trail_log_validation(res: LiveResource, ctx: VerifyContext) -> Iterator[Outcome]:
    """Log file integrity validation is on."""
    on = _trail(res, ctx).get("LogFileValidationEnabled")
    yield ok("log file validation enabled") if on else fail("log file validation disabled")


@check("cloudtrail.multi-region")
def trail_multi_region(res: LiveResource, ctx: VerifyContext) -> Iterator[Outcome]:
    """The trail covers every region."""
    on = _trail(res, ctx).get("IsMultiRegionTrail")
    yield ok("multi-region trail") if on else fail("single-region trail: other regions are not audited")


@check("cloudtrail.kms")
def trail_kms(res: LiveResource, ctx: VerifyContext) -> Iterator[Outcome]:
    """Log files are encrypted with a KMS key."""
    key = _trail(res, ctx).get("KmsKeyId")
    yield ok(f"log files encrypted with KMS key {key}") if key else fail("no KMS key: log files use SSE-S3 only")


@check("guardduty.enabled")
def detector_enabled(res: LiveResource, ctx: VerifyContext) -> Iterator[Outcome]:
    """The detector is ENABLED."""
    status = ctx.client("guardduty", res).get_detector(DetectorId=res.id).get("Status")
    yield ok("detector ENABLED") if status == "ENABLED" else fail(f"detector is {status}")


@check("securityhub.enabled")
def hub_enabled(res: LiveResource, ctx: VerifyContext) -> Iterator[Outcome]:
    """Security Hub is enabled in the account and region."""
    try:
        hub = ctx.client("securityhub", res).describe_hub(HubArn=res.arn)
    except ClientError as exc:
        if error_code(exc) != NO_HUB:
            raise
        yield fail("Security Hub is not enabled")
        return
    yield ok(f"enabled since {hub.get('SubscribedAt', '?')}")


@check("securityhub.standards")
def hub_standards(res: LiveResource, ctx: VerifyContext) -> Iterator[Outcome]:
    """Every standard the plan's compliance regimes call for is enabled."""
    pages = ctx.client("securityhub", res).get_paginator("get_enabled_standards").paginate()
    enabled = {
        s["StandardsArn"]
        for page in pages
        for s in page["StandardsSubscriptions"]
        if s.get("StandardsStatus") in ACTIVE_STANDARD_STATES
    }
    wanted = standards_for(ctx.plan.compliance, res.region or ctx.plan.region)
    missing = [arn for arn in wanted if arn not in enabled]
    names = ", ".join(_short(a) for a in (missing or wanted))
    regimes = ", ".join(ctx.plan.compliance) or "baseline"
    if missing:
        yield fail(f"standards not enabled ({regimes} call for them): {names}")
    else:
        yield ok(f"standards enabled for {regimes}: {names}")


@check("config.recording")
def recorder_recording(res: LiveResource, ctx: VerifyContext) -> Iterator[Outcome]:
    """The configuration recorder is recording."""
    statuses = ctx.client("config", res).describe_configuration_recorder_status(ConfigurationRecorderNames=[res.id])
    status = (statuses.get("ConfigurationRecordersStatus") or [{}])[0]
    if status.get("recording"):
        yield ok("recording")
    else:
        yield fail(f"not recording (last status: {status.get('lastStatus', 'none')})")


def _short(standard_arn: str) -> str:
    return standard_arn.split(":standards/", 1)[-1]
