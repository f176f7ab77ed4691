"""End to end: the README's example on an account a landing zone already set up.

GuardDuty, Security Hub (with a standard of its own) and a Config recorder with
its delivery channel run before the first apply, as on a Control Tower or LZA
account. apply adopts them, verify passes, and destroy leaves them exactly as
they were: nothing disabled, stopped, deleted or retagged.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from provision.cli.main import cli
from provision.stacks.providers.base import eventually

pytestmark = pytest.mark.e2e

PLAN_NAME = "landing-zone-e2e"
REGION = "eu-west-1"
CIS = f"arn:aws:securityhub:{REGION}::standards/cis-aws-foundations-benchmark/v/3.0.0"
TRUST_CONFIG = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


@pytest.fixture
def landing_zone(sandbox_client):
    """Turn on what a landing zone runs; returns a snapshot function of their state."""
    guardduty, hub, config = sandbox_client("guardduty"), sandbox_client("securityhub"), sandbox_client("config")
    detector = guardduty.create_detector(Enable=True, FindingPublishingFrequency="SIX_HOURS", Tags={"owner": "lz"})
    hub.enable_security_hub(EnableDefaultStandards=False, Tags={"owner": "lz"})
    hub.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": CIS}])
    sandbox_client("s3").create_bucket(Bucket="lz-config-archive", CreateBucketConfiguration={"LocationConstraint": REGION})
    role = sandbox_client("iam").create_role(RoleName="lz-config", AssumeRolePolicyDocument=json.dumps(TRUST_CONFIG))
    config.put_configuration_recorder(
        ConfigurationRecorder={"name": "lz-recorder", "roleARN": role["Role"]["Arn"], "recordingGroup": {"allSupported": True}}
    )
    # A strict sandbox, like AWS, may not let Config use a role this new yet.
    eventually(
        lambda: config.put_delivery_channel(DeliveryChannel={"name": "lz-channel", "s3BucketName": "lz-config-archive"}),
        retry_on=["InsufficientDeliveryPolicyException"],
        attempts=12,
    )
    config.start_configuration_recorder(ConfigurationRecorderName="lz-recorder")

    def snapshot() -> dict:
        detector_id = detector["DetectorId"]
        got = guardduty.get_detector(DetectorId=detector_id)
        return {
            "detectors": guardduty.list_detectors()["DetectorIds"],
            "detector": (got["Status"], got["FindingPublishingFrequency"], got.get("Tags")),
            "hub": hub.describe_hub()["HubArn"],
            "hub tags": hub.list_tags_for_resource(ResourceArn=hub.describe_hub()["HubArn"])["Tags"],
            "standards": sorted(s["StandardsArn"] for s in hub.get_enabled_standards()["StandardsSubscriptions"]),
            "recorders": config.describe_configuration_recorders()["ConfigurationRecorders"],
            "channels": config.describe_delivery_channels()["DeliveryChannels"],
            "recording": [s["recording"] for s in config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]],
        }

    return snapshot


def test_apply_verify_destroy_on_a_landing_zone_account_leaves_its_services_as_they_were(
    landing_zone, sandbox_state, write_example, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NIGHTWATCH_EXTERNAL_ID", "e2e-external-id")
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(cli, [*args, "--state-dir", str(sandbox_state.root)], catch_exceptions=False)

    plan_file = write_example(tmp_path, name=PLAN_NAME, price_class="PriceClass_100")
    before = landing_zone()

    applied = run("apply", str(plan_file), "--yes")
    assert applied.exit_code == 0, applied.output
    during = landing_zone()
    # The plan's standard (baseline) is added beside the landing zone's; nothing else of theirs changes.
    assert during["standards"] == sorted(
        before["standards"] + [f"arn:aws:securityhub:{REGION}::standards/aws-foundational-security-best-practices/v/1.0.0"]
    )
    assert {k: v for k, v in during.items() if k != "standards"} == {k: v for k, v in before.items() if k != "standards"}

    verified = run("verify", str(plan_file), "--format", "json")
    assert verified.exit_code == 0, verified.output

    destroyed = run("destroy", str(plan_file), "--yes")
    assert destroyed.exit_code == 0, destroyed.output
    assert landing_zone() == before
