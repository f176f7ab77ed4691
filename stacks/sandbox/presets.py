"""Sandbox presets: accounts that already run something before `provision` arrives.

`landing-zone` is an account governed the way Control Tower leaves it, in
every region the examples use: a GuardDuty detector, Security Hub with its
default standards, a Config recorder and delivery channel (recording), and
one organization trail, multi-region and logging. Their names are Control
Tower's, none carries a provision:* tag, and `inventory` lists them so tests
can prove a plan left them exactly as they were.

The server applies a preset through its own endpoint before it reports
healthy; the preset's IAM role is old enough to have propagated, as it would
be in a real account.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Callable

LANDING_ZONE = "landing-zone"
PRESETS = (LANDING_ZONE,)
REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1")
HOME_REGION = "us-east-1"
TRAIL = "aws-controltower-BaselineCloudTrail"
RECORDER = "aws-controltower-BaselineConfigRecorder"
CHANNEL = "aws-controltower-BaselineConfigDeliveryChannel"
CONFIG_ROLE = "aws-controltower-ConfigRecorderRole"
CONFIG_MANAGED_POLICY = "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole"

Client = Callable[[str, str], Any]  # (service, region) -> boto3 client


def _logs_bucket(account: str) -> str:
    return f"aws-controltower-logs-{account}-{HOME_REGION}"


def _age_role(account: str, name: str) -> None:
    """The role has existed for a day: in a real landing zone it long since propagated."""
    from moto.iam.models import iam_backends

    role = iam_backends[account]["global"].get_role(name)
    role.create_date = role.create_date - dt.timedelta(days=1)


def landing_zone(client: Client) -> None:
    account = client("sts", HOME_REGION).get_caller_identity()["Account"]
    bucket = _logs_bucket(account)
    s3 = client("s3", HOME_REGION)
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    client("organizations", HOME_REGION).create_organization(FeatureSet="ALL")
    trail = client("cloudtrail", HOME_REGION)
    trail.create_trail(Name=TRAIL, S3BucketName=bucket, IsMultiRegionTrail=True, IsOrganizationTrail=True,
                       EnableLogFileValidation=True, IncludeGlobalServiceEvents=True)
    trail.start_logging(Name=TRAIL)
    iam = client("iam", HOME_REGION)
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    role_arn = iam.create_role(RoleName=CONFIG_ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.attach_role_policy(RoleName=CONFIG_ROLE, PolicyArn=CONFIG_MANAGED_POLICY)
    _age_role(account, CONFIG_ROLE)
    for region in REGIONS:
        client("guardduty", region).create_detector(Enable=True, FindingPublishingFrequency="SIX_HOURS")
        client("securityhub", region).enable_security_hub(EnableDefaultStandards=True)
        config = client("config", region)
        config.put_configuration_recorder(ConfigurationRecorder={
            "name": RECORDER, "roleARN": role_arn,
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": region == HOME_REGION}})
        config.put_delivery_channel(DeliveryChannel={"name": CHANNEL, "s3BucketName": bucket})
        config.start_configuration_recorder(ConfigurationRecorderName=RECORDER)


APPLY = {LANDING_ZONE: landing_zone}


def apply(name: str, client: Client) -> None:
    """Put the account of `client` in the state preset `name` describes."""
    if name not in APPLY:
        raise ValueError(f"unknown sandbox preset {name!r}; choose one of: {', '.join(PRESETS)}")
    APPLY[name](client)


def inventory(client: Client) -> dict[str, Any]:
    """What a landing zone runs, per region, as its APIs describe it: the before/after oracle."""
    found: dict[str, Any] = {}
    trail = client("cloudtrail", HOME_REGION)
    found["trails"] = sorted(
        (t["Name"], t.get("IsOrganizationTrail"), t.get("IsMultiRegionTrail"), trail.get_trail_status(Name=t["TrailARN"])["IsLogging"])
        for t in trail.describe_trails()["trailList"]
    )
    for region in REGIONS:
        guardduty, hub, config = client("guardduty", region), client("securityhub", region), client("config", region)
        detectors = guardduty.list_detectors()["DetectorIds"]
        statuses = config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
        found[region] = {
            "detectors": sorted((d, guardduty.get_detector(DetectorId=d)["Status"]) for d in detectors),
            **_hub(hub),
            "recorders": sorted((s["name"], s["recording"]) for s in statuses),
            "channels": sorted(c["name"] for c in config.describe_delivery_channels()["DeliveryChannels"]),
        }
    return found


def _hub(hub: Any) -> dict[str, Any]:
    """The hub and its standards; a disabled hub reads as none (what a destroy must never cause)."""
    from botocore.exceptions import ClientError

    try:
        arn = hub.describe_hub()["HubArn"]
        standards = sorted(s["StandardsArn"] for s in hub.get_enabled_standards()["StandardsSubscriptions"])
    except ClientError as exc:
        return {"hub": exc.response["Error"]["Code"], "standards": []}
    return {"hub": arn, "standards": standards}
