"""`provision sandbox start --preset landing-zone`: a real sandbox that already runs what a landing zone runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from provision.cli.main import cli
from provision.stacks.sandbox import Sandbox
from tests.sandboxes import sandbox_clients

# Each test starts a real sandbox server.
pytestmark = pytest.mark.e2e

ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def landing_zone(tmp_path_factory: pytest.TempPathFactory):
    state = tmp_path_factory.mktemp("state")
    result = CliRunner().invoke(cli, ["sandbox", "start", "--state-dir", str(state), "--preset", "landing-zone"])
    assert result.exit_code == 0, result.output
    box = Sandbox(state / "sandbox")
    try:
        yield state, box.status(), result.output
    finally:
        box.stop()


def _client(info, service: str, region: str):
    return sandbox_clients(info)(service, region)


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "eu-central-1", "us-west-2"])
def test_every_region_runs_guardduty_security_hub_and_config(landing_zone, region: str) -> None:
    _, info, _ = landing_zone
    guardduty, hub, config = (_client(info, s, region) for s in ("guardduty", "securityhub", "config"))

    (detector,) = guardduty.list_detectors()["DetectorIds"]
    assert guardduty.get_detector(DetectorId=detector)["Status"] == "ENABLED"
    assert hub.describe_hub()["HubArn"] == f"arn:aws:securityhub:{region}:{ACCOUNT}:hub/default"
    assert {s["StandardsArn"] for s in hub.get_enabled_standards()["StandardsSubscriptions"]} == {
        f"arn:aws:securityhub:{region}::standards/aws-foundational-security-best-practices/v/1.0.0",
        "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0",
    }
    (status,) = config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
    assert (status["name"], status["recording"]) == ("aws-controltower-BaselineConfigRecorder", True)
    (channel,) = config.describe_delivery_channels()["DeliveryChannels"]
    assert channel["s3BucketName"] == f"aws-controltower-logs-{ACCOUNT}-us-east-1"


def test_one_organization_trail_is_logging(landing_zone) -> None:
    _, info, _ = landing_zone
    trail = _client(info, "cloudtrail", "us-east-1")
    (found,) = trail.describe_trails()["trailList"]
    assert (found["Name"], found["IsOrganizationTrail"], found["IsMultiRegionTrail"], found["LogFileValidationEnabled"]) == (
        "aws-controltower-BaselineCloudTrail", True, True, True
    )
    assert trail.get_trail_status(Name=found["TrailARN"])["IsLogging"] is True


def test_a_second_detector_or_hub_is_refused_as_on_a_landing_zone_account(landing_zone) -> None:
    _, info, _ = landing_zone
    with pytest.raises(Exception) as detector:
        _client(info, "guardduty", "eu-west-1").create_detector(Enable=True)
    with pytest.raises(Exception) as hub:
        _client(info, "securityhub", "eu-west-1").enable_security_hub()
    assert detector.value.response["Error"]["Code"] == "BadRequestException"
    assert hub.value.response["Error"]["Code"] == "ResourceConflictException"


def test_status_names_the_preset_and_another_preset_needs_a_reset(landing_zone) -> None:
    state, info, start_output = landing_zone
    assert "preset landing-zone" in start_output

    status = CliRunner().invoke(cli, ["sandbox", "status", "--state-dir", str(state)])
    plain = Sandbox(Path(state) / "sandbox").start()

    assert status.exit_code == 0 and "preset landing-zone" in status.output
    assert plain == (info, False)  # no preset asked: the running one serves


def test_iam_propagation_is_configurable_and_reported(tmp_path: Path) -> None:
    box = Sandbox(tmp_path / "sandbox")
    try:
        info, _ = box.start(iam_propagation_seconds=0)
        assert box.status().iam_propagation_seconds == 0
        iam, backup = _client(info, "iam", "eu-west-1"), _client(info, "backup", "eu-west-1")
        trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"backup.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
        role = iam.create_role(RoleName="fresh", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
        plan = backup.create_backup_plan(BackupPlan={"BackupPlanName": "p", "Rules": [
            {"RuleName": "r", "TargetBackupVaultName": "Default"}]})["BackupPlanId"]
        backup.create_backup_selection(BackupPlanId=plan, BackupSelection={
            "SelectionName": "s", "IamRoleArn": role, "Resources": ["arn:aws:s3:::b"]})  # accepted at once: 0 s
    finally:
        box.stop()


def test_a_running_sandbox_with_another_preset_is_an_error(tmp_path: Path) -> None:
    box = Sandbox(tmp_path / "sandbox")
    try:
        box.start()
        result = CliRunner().invoke(cli, ["sandbox", "start", "--state-dir", str(tmp_path), "--preset", "landing-zone"])
        assert result.exit_code == 1
        assert "reset --preset landing-zone" in result.output
    finally:
        box.stop()
