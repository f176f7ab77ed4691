"""CloudTrail, GuardDuty, Security Hub and Config checks against moto."""

from __future__ import annotations

import pytest

from provision.stacks.providers.base import client
from provision.stacks.providers.config_recorder import ConfigRecorderProvider
from provision.stacks.providers.guardduty_detector import GuardDutyDetectorProvider
from provision.stacks.providers.kms_key import KmsKeyProvider
from provision.stacks.providers.s3_bucket import S3BucketProvider
from provision.stacks.providers.securityhub_account import FOUNDATIONAL, SecurityHubAccountProvider, standard_arn
from provision.stacks.providers.cloudtrail_trail import CloudTrailTrailProvider
from provision.stacks.verify.checks import detection

REGION = "eu-west-1"

TRAIL_CHECKS = (detection.trail_logging, detection.trail_log_validation, detection.trail_multi_region, detection.trail_kms)


def outcomes(results, checks, resource, ctx):
    return [(r.check, r.resource, r.passed, r.detail) for c in checks for r in results(c, resource, ctx)]


@pytest.fixture
def key(deploy):
    return deploy(KmsKeyProvider(), {"description": "soc", "enable_key_rotation": True}, name="soc-key", function="soc")


@pytest.fixture
def trail(deploy, key):
    deploy(S3BucketProvider(), {"bucket_name": "soc-trail-bucket"}, name="soc-trail-bucket", function="soc")
    props = {"name": "soc-trail", "s3_bucket_name": "soc-trail-bucket", "is_multi_region": True,
             "enable_log_file_validation": True, "kms_key_id": key.arn, "logging": True}  # fmt: skip
    return deploy(CloudTrailTrailProvider(), props, name="soc-trail", function="soc")


def test_a_locked_down_trail_passes(trail, key, verify_ctx, results):
    assert outcomes(results, TRAIL_CHECKS, trail, verify_ctx(trail)) == [
        ("cloudtrail.logging", trail.arn, True, "logging"),
        ("cloudtrail.log-validation", trail.arn, True, "log file validation enabled"),
        ("cloudtrail.multi-region", trail.arn, True, "multi-region trail"),
        ("cloudtrail.kms", trail.arn, True, f"log files encrypted with KMS key {key.arn}"),
    ]


def test_a_weakened_trail_fails_each_check_naming_it(trail, verify_ctx, results):
    cloudtrail = client("cloudtrail")
    cloudtrail.stop_logging(Name="soc-trail")
    cloudtrail.update_trail(Name="soc-trail", IsMultiRegionTrail=False, EnableLogFileValidation=False, KmsKeyId="")
    assert outcomes(results, TRAIL_CHECKS, trail, verify_ctx(trail)) == [
        ("cloudtrail.logging", trail.arn, False, "logging is stopped"),
        ("cloudtrail.log-validation", trail.arn, False, "log file validation disabled"),
        ("cloudtrail.multi-region", trail.arn, False, "single-region trail: other regions are not audited"),
        ("cloudtrail.kms", trail.arn, False, "no KMS key: log files use SSE-S3 only"),
    ]


def test_a_deleted_trail_fails_naming_it(trail, verify_ctx, results):
    client("cloudtrail").delete_trail(Name="soc-trail")
    [result] = results(detection.trail_logging, trail, verify_ctx(trail))
    assert (result.resource, result.passed, result.detail) == (
        trail.arn, False, "not found in AWS (TrailNotFoundException): deleted outside provision?"
    )  # fmt: skip


def test_guardduty_detector_enabled_then_suspended(deploy, verify_ctx, results):
    detector = deploy(GuardDutyDetectorProvider(), {"enable": True}, name="soc-guardduty", function="soc")
    assert outcomes(results, [detection.detector_enabled], detector, verify_ctx(detector)) == [
        ("guardduty.enabled", detector.arn, True, "detector ENABLED")
    ]
    client("guardduty").update_detector(DetectorId=detector.id, Enable=False)
    assert outcomes(results, [detection.detector_enabled], detector, verify_ctx(detector)) == [
        ("guardduty.enabled", detector.arn, False, "detector is DISABLED")
    ]


@pytest.fixture
def hub(deploy):
    return deploy(SecurityHubAccountProvider(), {"standards": [standard_arn(REGION, FOUNDATIONAL)]}, name="soc-securityhub", function="soc")


def test_security_hub_with_the_gdpr_baseline_passes(hub, verify_ctx, results):
    assert outcomes(results, [detection.hub_enabled, detection.hub_standards], hub, verify_ctx(hub))[1:] == [
        ("securityhub.standards", hub.arn, True, f"standards enabled for gdpr: {FOUNDATIONAL}")
    ]
    [enabled] = results(detection.hub_enabled, hub, verify_ctx(hub))
    assert (enabled.check, enabled.resource, enabled.passed) == ("securityhub.enabled", hub.arn, True)


def test_security_hub_misses_the_standard_pci_dss_calls_for(hub, verify_ctx, results, example):
    # eu-fintech is in eu-central-1, so the hub's region (from its ARN) decides the standards' ARNs.
    [result] = results(detection.hub_standards, hub, verify_ctx(hub, of=example("eu-fintech.yaml")))
    assert (result.resource, result.passed, result.detail) == (
        hub.arn, False, "standards not enabled (gdpr, pci-dss call for them): pci-dss/v/4.0.1"
    )  # fmt: skip


def test_a_disabled_standard_and_a_disabled_hub_fail(hub, verify_ctx, results):
    securityhub = client("securityhub")
    subscriptions = securityhub.get_enabled_standards()["StandardsSubscriptions"]
    securityhub.batch_disable_standards(StandardsSubscriptionArns=[s["StandardsSubscriptionArn"] for s in subscriptions])
    [standards] = results(detection.hub_standards, hub, verify_ctx(hub))
    assert (standards.passed, standards.detail) == (False, f"standards not enabled (gdpr call for them): {FOUNDATIONAL}")
    securityhub.disable_security_hub()
    [enabled] = results(detection.hub_enabled, hub, verify_ctx(hub))
    assert (enabled.resource, enabled.passed, enabled.detail) == (hub.arn, False, "Security Hub is not enabled")


def test_config_recorder_recording_then_stopped(deploy, verify_ctx, results, service_role):
    deploy(S3BucketProvider(), {"bucket_name": "soc-config-bucket"}, name="soc-logs-bucket", function="soc")
    role = service_role("soc-config", "config.amazonaws.com")
    props = {"name": "soc-config", "role_arn": role, "include_global_resource_types": True,
             "s3_bucket_name": "soc-config-bucket", "recording": True}  # fmt: skip
    recorder = deploy(ConfigRecorderProvider(), props, name="soc-config", function="soc")
    assert recorder.kind == "ConfigRecorder"
    assert outcomes(results, [detection.recorder_recording], recorder, verify_ctx(recorder)) == [
        ("config.recording", recorder.arn, True, "recording")
    ]
    client("config").stop_configuration_recorder(ConfigurationRecorderName="soc-config")
    [result] = results(detection.recorder_recording, recorder, verify_ctx(recorder))
    assert (result.resource, result.passed) == (recorder.arn, False)
    assert result.detail.startswith("not recording (last status: ")
