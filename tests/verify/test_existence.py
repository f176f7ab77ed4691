"""Every check first proves its resource exists: a resource deleted out of band fails verify, by name."""

from __future__ import annotations

import pytest

from provision.stacks.providers.base import client
from provision.stacks.providers.budget import BudgetProvider
from provision.stacks.providers.cloudwatch_alarm import CloudWatchAlarmProvider
from provision.stacks.providers.cloudwatch_dashboard import CloudWatchDashboardProvider
from provision.stacks.providers.eventbridge_rule import EventBridgeRuleProvider
from provision.stacks.providers.iam_role import IamRoleProvider, trust_policy
from provision.stacks.providers.kms_key import KmsKeyProvider
from provision.stacks.providers.log_group import LogGroupProvider
from provision.stacks.providers.s3_bucket import S3BucketProvider
from provision.stacks.providers.sns_topic import SnsTopicProvider
from provision.stacks.providers.transfer_server import TransferServerProvider
from provision.stacks.providers.vpc import VpcProvider
from provision.stacks.verify.checks.existence import PROBES
from provision.stacks.verify.inventory import KIND_MARKERS
from provision.stacks.verify.runner import verify

PLAN, ENV = "brightdesk-prod", "prod"
WEB = {"provision:plan": PLAN, "provision:function": "web", "provision:provider": "aws", "provision:environment": ENV}
ALARM = {"alarm_name": "web-5xx", "namespace": "AWS/CloudFront", "metric_name": "5xxErrorRate", "statistic": "Average",
         "period": 300, "evaluation_periods": 1, "threshold": 1.0, "comparison_operator": "GreaterThanThreshold"}  # fmt: skip

# (provider, props, logical name, the resource's id once made, or None when AWS picks it)
RESOURCES = [
    (CloudWatchAlarmProvider, ALARM, "web-alarm"),
    (S3BucketProvider, {"bucket_name": "gone-bucket"}, "web-site"),
    (KmsKeyProvider, {"description": "k"}, "web-key"),
    (IamRoleProvider, {"role_name": "gone-role", "assume_role_policy": trust_policy({"AWS": "210987654321"})}, "web-role"),
    (SnsTopicProvider, {"name": "gone-topic", "email_subscriptions": []}, "web-topic"),
    (LogGroupProvider, {"log_group_name": "/gone"}, "web-logs"),
    (VpcProvider, {"cidr_block": "10.1.0.0/16", "enable_dns_support": True}, "web-vpc"),
    (BudgetProvider, {"budget_name": "gone-budget", "limit_amount": 100.0}, "budget"),
    (EventBridgeRuleProvider, {"name": "gone-rule", "event_pattern": '{"source": ["aws.guardduty"]}', "targets": {}}, "web-rule"),
    (TransferServerProvider, {"protocols": ["SFTP"]}, "web-sftp"),
    (CloudWatchDashboardProvider, {"dashboard_name": "gone-dashboard", "dashboard_body": "{\"widgets\": []}"}, "web-dashboard"),
]  # fmt: skip


def test_every_kind_has_a_probe() -> None:
    assert set(PROBES) == {kind for kind, _ in KIND_MARKERS}


@pytest.mark.parametrize(("provider", "props", "name"), RESOURCES, ids=[r[2] for r in RESOURCES])
def test_a_resource_deleted_out_of_band_fails_by_name_and_nothing_else_is_checked(
    deploy, verify_ctx, provider, props, name
) -> None:
    resource = deploy(provider(), {**props, "tags": WEB}, name=name, function="web")
    ctx = verify_ctx(resource)
    assert not [r for r in verify(ctx).results if r.check == "exists"]

    provider().delete(resource.id, {**props, **resource.outputs, "tags": WEB})
    results = [r for r in verify(ctx).results if r.resource == resource.arn]

    assert [(r.check, r.passed, r.detail) for r in results] == [
        ("exists", False, f"{resource.kind} {name} ({resource.id}) not found in AWS: deleted outside provision?")
    ]


def test_a_deleted_alarm_fails_verify(deploy, verify_ctx) -> None:
    """Regression: DescribeAlarms answers an empty list for a deleted alarm, and its tags were still read: verify passed."""
    alarm = deploy(CloudWatchAlarmProvider(), {**ALARM, "tags": WEB}, name="web-alarm", function="web")
    client("cloudwatch").delete_alarms(AlarmNames=["web-5xx"])

    report = verify(verify_ctx(alarm))

    assert not report.passed
    assert [f.detail for f in report.failures if f.resource == alarm.arn] == [
        "CloudWatchAlarm web-alarm (web-5xx) not found in AWS: deleted outside provision?"
    ]
