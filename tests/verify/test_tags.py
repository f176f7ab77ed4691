"""The tags check reads each kind's live tags and compares them with what its owner implies."""

from __future__ import annotations

import pytest

from provision.stacks.providers.backup_vault import BackupVaultProvider
from provision.stacks.providers.base import client
from provision.stacks.providers.budget import BudgetProvider
from provision.stacks.providers.cloudfront_distribution import CloudFrontDistributionProvider
from provision.stacks.providers.cloudtrail_trail import CloudTrailTrailProvider
from provision.stacks.providers.cloudwatch_alarm import CloudWatchAlarmProvider
from provision.stacks.providers.eventbridge_rule import EventBridgeRuleProvider
from provision.stacks.providers.guardduty_detector import GuardDutyDetectorProvider
from provision.stacks.providers.iam_role import IamRoleProvider, trust_policy
from provision.stacks.providers.kms_key import KmsKeyProvider
from provision.stacks.providers.log_group import LogGroupProvider
from provision.stacks.providers.s3_bucket import S3BucketProvider
from provision.stacks.providers.securityhub_account import SecurityHubAccountProvider
from provision.stacks.providers.sns_topic import SnsTopicProvider
from provision.stacks.providers.transfer_server import TransferServerProvider
from provision.stacks.providers.vpc import VpcProvider
from provision.stacks.verify.checks.tags import TAG_READERS, required_tags
from provision.stacks.verify.model import LiveResource
from provision.stacks.verify.owners import expected_tags

PLAN, ENV = "brightdesk-prod", "prod"
WEB = {"provision:plan": PLAN, "provision:function": "web", "provision:provider": "aws", "provision:environment": ENV}
SOC = {**WEB, "provision:function": "soc", "provision:provider": "nightwatch"}
VENDOR = {**WEB, "provision:function": "vendor-access", "provision:provider": "nightwatch"}
PLAN_LEVEL = {"provision:plan": PLAN, "provision:environment": ENV}
ALARM = {"alarm_name": "web-5xx", "namespace": "AWS/CloudFront", "metric_name": "5xxErrorRate", "statistic": "Average",
         "period": 300, "evaluation_periods": 1, "threshold": 1.0, "comparison_operator": "GreaterThanThreshold"}  # fmt: skip

# (provider, props without tags, logical name, owning function, the tags its owner implies)
RESOURCES = [
    (S3BucketProvider, {"bucket_name": "tagged-bucket"}, "web-site", "web", WEB),
    (KmsKeyProvider, {"description": "k"}, "web-key", "web", WEB),
    (IamRoleProvider, {"role_name": "vendor", "assume_role_policy": trust_policy({"AWS": "210987654321"})}, "vendor-access-nightwatch", None, VENDOR),
    (SnsTopicProvider, {"name": "alerts", "email_subscriptions": []}, "soc-alerts", "soc", SOC),
    (LogGroupProvider, {"log_group_name": "/flow"}, "soc-flow", "soc", SOC),
    (GuardDutyDetectorProvider, {"enable": True}, "soc-guardduty", "soc", SOC),
    (SecurityHubAccountProvider, {"standards": []}, "soc-securityhub", "soc", SOC),
    (BackupVaultProvider, {"vault_name": "vault", "notification_events": []}, "backups-vault", "backups", {**WEB, "provision:function": "backups"}),
    (VpcProvider, {"cidr_block": "10.1.0.0/16", "enable_dns_support": True}, "net-vpc", "web", WEB),
    (BudgetProvider, {"budget_name": "plan-budget", "limit_amount": 100.0}, "budget-plan", None, PLAN_LEVEL),
    (CloudWatchAlarmProvider, ALARM, "web-alarm", "web", WEB),
    (EventBridgeRuleProvider, {"name": "soc-rule", "event_pattern": '{"source": ["aws.guardduty"]}', "targets": {}}, "soc-rule", "soc", SOC),
    (TransferServerProvider, {"protocols": ["SFTP"]}, "web-sftp", "web", WEB),
    (CloudFrontDistributionProvider, {"origin_domain_name": "site.s3.eu-west-1.amazonaws.com", "oac_name": "site"}, "web-cdn", "web", WEB),
    (CloudTrailTrailProvider, {"name": "soc-trail", "s3_bucket_name": "trail-bucket", "is_multi_region": True}, "soc-trail", "soc", SOC),
]  # fmt: skip
IDS = [r[0].__name__.removesuffix("Provider") for r in RESOURCES]


@pytest.fixture
def trail_bucket(aws):
    client("s3").create_bucket(Bucket="trail-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})


@pytest.mark.parametrize(("provider", "props", "name", "function", "tags"), RESOURCES, ids=IDS)
def test_resources_tagged_by_their_owner_pass(deploy, trail_bucket, verify_ctx, results, provider, props, name, function, tags):
    resource = deploy(provider(), {**props, "tags": tags}, name=name, function=function)
    assert resource.kind == provider.__name__.removesuffix("Provider")
    assert expected_tags(resource, verify_ctx().plan) == tags
    [result] = results(required_tags, resource, verify_ctx(resource))
    expected = ", ".join(f"{k}={v}" for k, v in sorted(tags.items()))
    assert (result.check, result.resource, result.passed, result.detail) == ("tags", resource.arn, True, expected)


@pytest.mark.parametrize(("provider", "props", "name", "function", "tags"), RESOURCES, ids=IDS)
def test_missing_and_wrong_tags_fail_naming_the_resource(deploy, trail_bucket, verify_ctx, results, provider, props, name, function, tags):
    wrong = {"provision:plan": "someone-else", "team": "web"}
    resource = deploy(provider(), {**props, "tags": wrong}, name=name, function=function)
    [result] = results(required_tags, resource, verify_ctx(resource))
    missing = ", ".join(sorted(k for k in tags if k != "provision:plan"))
    assert (result.resource, result.passed, result.detail) == (
        resource.arn, False, f"missing {missing}; provision:plan='someone-else' (expected '{PLAN}')"
    )  # fmt: skip


def test_every_readable_kind_is_covered_by_a_test_or_shares_a_reader():
    tested = set(IDS)
    # EC2 kinds share one reader (describe_tags by resource id); the rest are read like a tested kind.
    shared = {"Subnet", "InternetGateway", "RouteTable", "NatGateway", "FlowLog", "BackupPlan", "TransferUser"}
    # A recorder's tags are readable only when AWS reports its ARN (moto does not): see below.
    shared.add("ConfigRecorder")
    assert set(TAG_READERS) - tested == shared


def test_a_recorder_without_an_arn_has_no_tag_result(verify_ctx, results):
    recorder = LiveResource(urn="u", name="soc-config", kind="ConfigRecorder", function="soc", id="soc-config", outputs={"name": "soc-config"})
    assert results(required_tags, recorder, verify_ctx(recorder)) == []


def test_a_singleton_adopted_from_a_landing_zone_keeps_its_own_tags(aws, deploy, verify_ctx, results):
    # A landing zone's detector carries its tags, not ours; provision never retags what it does not own.
    client("guardduty").create_detector(Enable=True, Tags={"owner": "landing-zone"})
    resource = deploy(GuardDutyDetectorProvider(), {"enable": True, "tags": SOC}, name="soc-guardduty", function="soc")
    assert resource.outputs["adopted"] is True

    [result] = results(required_tags, resource, verify_ctx(resource))

    assert (result.passed, result.detail) == (True, "adopted from the account, not owned: its tags are the landing zone's")
