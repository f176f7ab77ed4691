"""The security-monitoring program's resource graph, built against Pulumi mocks."""

from __future__ import annotations

import base64
import json
from typing import Any

import dill
import pulumi
import pytest
from pulumi.runtime.mocks import MockMonitor

from provision.schemas.model import build_plan
from provision.stacks.functions import security_monitoring
from provision.stacks.functions.base import FunctionContext
from provision.stacks.providers.eventbridge_rule import guardduty_findings_pattern, securityhub_findings_pattern
from provision.stacks.providers.securityhub_account import standard_arn

ACCOUNT = "111122223333"
REGION = "eu-west-1"
DYNAMIC_PREFIX = "pulumi-python:dynamic/aws:"
COMPONENT = "provision:function:SecurityMonitoring"
ALL_SERVICES = ["guardduty", "cloudtrail", "securityhub", "config"]


class Mocks(pulumi.runtime.Mocks):
    """Echo inputs back and add the computed outputs the program reads."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        outputs = dict(args.inputs)
        if args.typ.startswith(DYNAMIC_PREFIX):
            if "bucket_name" in outputs:
                outputs["arn"] = f"arn:aws:s3:::{outputs['bucket_name']}"
            else:
                outputs["arn"] = f"arn:mock:{args.name}"
            outputs.setdefault("detector_id", f"{args.name}-detector")
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        return {}


def _plan(services=ALL_SERVICES, compliance=("gdpr",), min_severity="medium", retention: int | None = 90):
    section: dict[str, Any] = {
        "services": list(services),
        "alerts": {"minSeverity": min_severity, "notify": ["soc@nightwatch.example", "ciso@acme.example"]},
    }
    if retention is not None:
        section["trailRetentionDays"] = retention
    return build_plan(
        {
            "apiVersion": "provision/v1",
            "kind": "OutsourcingPlan",
            "metadata": {"name": "acme-prod", "owner": "platform@acme.example"},
            "spec": {
                "environment": "prod",
                "region": REGION,
                "dataResidency": "eu",
                "compliance": list(compliance),
                "providers": {
                    "nightwatch": {
                        "type": "msp",
                        "accountId": "210987654321",
                        "externalIdRef": "env:NIGHTWATCH_EXTERNAL_ID",
                        "contacts": ["soc@nightwatch.example", "duty@nightwatch.example"],
                    }
                },
                "functions": {
                    "soc": {"type": "security-monitoring", "provider": "nightwatch", "securityMonitoring": section}
                },
            },
        }
    )


class Graph:
    """What the program registered: dynamic resources by name, with their provider class and parent type."""

    def __init__(self, monitor: MockMonitor, outputs: dict[str, Any], ctx: FunctionContext) -> None:
        self.ctx = ctx
        self.outputs = outputs
        self.resources: dict[str, dict[str, Any]] = {}
        self.parent_types: dict[str, str] = {}
        self.providers: dict[str, str] = {}
        for urn, registration in monitor.get_registered_resources().items():
            qualified_type, name = urn.split("::")[2], urn.split("::")[3]
            if not qualified_type.rsplit("$", 1)[-1].startswith(DYNAMIC_PREFIX):
                continue
            state = dict(registration.state)
            provider = state.pop("__provider")
            # The engine keeps the pickled provider as a secret: {<secret signature>: ..., "value": ...}.
            provider = dill.loads(base64.b64decode(provider["value"] if isinstance(provider, dict) else provider))
            self.resources[name] = state
            self.providers[name] = type(provider).__name__
            self.parent_types[name] = qualified_type.rsplit("$", 1)[0]

    def __getitem__(self, name: str) -> dict[str, Any]:
        return self.resources[f"soc-{name}"]


def build(plan) -> Graph:
    monitor = MockMonitor(Mocks())
    pulumi.runtime.set_mocks(Mocks(), monitor=monitor, preview=False)
    ctx = FunctionContext(plan=plan, function=plan.functions["soc"], account_id=ACCOUNT)
    captured: dict[str, Any] = {}

    @pulumi.runtime.test
    def program():
        component = security_monitoring.build(ctx)
        return pulumi.Output.from_input(component.outputs).apply(captured.update)

    program()
    return Graph(monitor, captured, ctx)


@pytest.fixture(scope="module")
def full() -> Graph:
    return build(_plan(compliance=("pci-dss", "hipaa")))


def test_every_service_builds_its_resources_under_the_component(full: Graph) -> None:
    assert full.providers == {
        "soc-key": "KmsKeyProvider",
        "soc-trail-bucket": "S3BucketProvider",
        "soc-trail": "CloudTrailTrailProvider",
        "soc-logs-bucket": "S3BucketProvider",
        "soc-guardduty": "GuardDutyDetectorProvider",
        "soc-securityhub": "SecurityHubAccountProvider",
        "soc-config-role": "IamRoleProvider",
        "soc-config": "ConfigRecorderProvider",
        "soc-alerts": "SnsTopicProvider",
        "soc-guardduty-rule": "EventBridgeRuleProvider",
        "soc-securityhub-rule": "EventBridgeRuleProvider",
        "soc-trail-tampering-rule": "EventBridgeRuleProvider",
    }
    assert set(full.parent_types.values()) == {COMPONENT}


def test_every_resource_carries_the_function_tags(full: Graph) -> None:
    expected = {
        "provision:plan": "acme-prod",
        "provision:function": "soc",
        "provision:provider": "nightwatch",
        "provision:environment": "prod",
    }
    assert {name: r["tags"] for name, r in full.resources.items()} == {name: expected for name in full.resources}


def test_trail_is_multi_region_validated_encrypted_and_logging(full: Graph) -> None:
    trail = full["trail"]
    name = full.ctx.physical_name("trail", kind="cloudtrail-trail")
    assert trail["name"] == name
    assert trail["s3_bucket_name"] == full["trail-bucket"]["bucket_name"] == full.ctx.physical_name("trail", kind="s3-bucket")
    assert (trail["is_multi_region"], trail["enable_log_file_validation"], trail["include_global_service_events"]) == (
        True,
        True,
        True,
    )
    assert trail["logging"] is True
    assert trail["kms_key_id"] == full["key"]["arn"]
    assert full.outputs["trail_arn"] == f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{name}"


def test_trail_bucket_is_locked_down_with_retention(full: Graph) -> None:
    bucket = full["trail-bucket"]
    assert (bucket["versioning"], bucket["block_public_access"], bucket["object_ownership"]) == (
        True,
        True,
        "BucketOwnerEnforced",
    )
    assert bucket["kms_key_arn"] == full["key"]["arn"]
    assert bucket["lifecycle_expiration_days"] == 90
    assert bucket["force_destroy"] is False


def test_trail_bucket_policy_lets_only_this_trail_write_and_denies_plain_http(full: Graph) -> None:
    bucket = full["trail-bucket"]["bucket_name"]
    trail = full.outputs["trail_arn"]
    statements = {s["Sid"]: s for s in json.loads(full["trail-bucket"]["bucket_policy"])["Statement"]}
    assert statements == {
        "CloudTrailAclCheck": {
            "Sid": "CloudTrailAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:GetBucketAcl",
            "Resource": f"arn:aws:s3:::{bucket}",
            "Condition": {"StringEquals": {"aws:SourceArn": trail}},
        },
        "CloudTrailWrite": {
            "Sid": "CloudTrailWrite",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{bucket}/AWSLogs/{ACCOUNT}/*",
            "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail}},
        },
        "DenyInsecureTransport": {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    }


def test_key_is_rotated_and_lets_cloudtrail_use_it_only_for_this_trail(full: Graph) -> None:
    key = full["key"]
    assert key["enable_key_rotation"] is True
    assert key["alias"] == f"alias/{full.ctx.physical_name('security', kind='kms-alias')}"
    statements = {s["Sid"]: s for s in json.loads(key["key_policy"])["Statement"]}
    assert statements["CloudTrailEncryptLogs"]["Condition"]["StringEquals"] == {"aws:SourceArn": full.outputs["trail_arn"]}
    # EventBridge's KMS requests carry no aws:Source* keys: a condition on them drops every alert.
    assert statements["EventBridgePublishToEncryptedTopics"] == {
        "Sid": "EventBridgePublishToEncryptedTopics",
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": "*",
    }
    assert statements["GuardDutyExportFindings"] == {
        "Sid": "GuardDutyExportFindings",
        "Effect": "Allow",
        "Principal": {"Service": "guardduty.amazonaws.com"},
        "Action": "kms:GenerateDataKey",
        "Resource": "*",
        "Condition": {
            "StringEquals": {"aws:SourceAccount": ACCOUNT},
            "ArnLike": {"aws:SourceArn": f"arn:aws:guardduty:*:{ACCOUNT}:detector/*"},
        },
    }
    assert statements["AccountAdministers"]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}


def test_guardduty_exports_findings_encrypted_to_the_logs_bucket(full: Graph) -> None:
    detector = full["guardduty"]
    logs = full["logs-bucket"]["bucket_name"]
    assert (detector["enable"], detector["finding_publishing_frequency"]) == (True, "FIFTEEN_MINUTES")
    assert detector["destination_arn"] == f"arn:aws:s3:::{logs}/guardduty/"
    assert detector["destination_kms_key_arn"] == full["key"]["arn"]
    statements = {s["Sid"]: s for s in json.loads(full["logs-bucket"]["bucket_policy"])["Statement"]}
    export = statements["GuardDutyExport"]
    assert (export["Principal"], export["Action"], export["Resource"]) == (
        {"Service": "guardduty.amazonaws.com"},
        "s3:PutObject",
        f"arn:aws:s3:::{logs}/guardduty/*",
    )
    assert export["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}
    assert set(statements) == {
        "GuardDutyBucketLocation",
        "GuardDutyExport",
        "ConfigBucketCheck",
        "ConfigDelivery",
        "DenyInsecureTransport",
    }


def test_security_hub_enables_the_standards_of_the_compliance_regimes(full: Graph) -> None:
    expected = sorted(
        standard_arn(REGION, s)
        for s in ("aws-foundational-security-best-practices/v/1.0.0", "pci-dss/v/4.0.1", "nist-800-53/v/5.0.0")
    )
    assert full["securityhub"]["standards"] == expected
    assert full.outputs["standards"] == expected


def test_config_records_everything_with_its_own_role(full: Graph) -> None:
    recorder, role = full["config"], full["config-role"]
    logs = full["logs-bucket"]["bucket_name"]
    assert recorder["role_arn"] == role["arn"]
    assert (recorder["all_supported"], recorder["include_global_resource_types"], recorder["recording"]) == (
        True,
        True,
        True,
    )
    assert (recorder["s3_bucket_name"], recorder["s3_key_prefix"], recorder["s3_kms_key_arn"]) == (
        logs,
        "config",
        full["key"]["arn"],
    )
    trust = json.loads(role["assume_role_policy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "config.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    assert role["managed_policy_arns"] == ["arn:aws:iam::aws:policy/service-role/AWS_ConfigRole"]
    deliver = json.loads(role["inline_policies"]["deliver"])["Statement"]
    assert deliver[0]["Resource"] == f"arn:aws:s3:::{logs}/config/AWSLogs/{ACCOUNT}/*"
    assert deliver[2] == {
        "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": full["key"]["arn"],
    }


def test_alerts_topic_is_encrypted_and_reaches_notify_and_provider_contacts(full: Graph) -> None:
    topic = full["alerts"]
    assert topic["kms_master_key_id"] == full["key"]["arn"]
    assert topic["publisher_services"] == ["events.amazonaws.com"]
    assert topic["email_subscriptions"] == ["ciso@acme.example", "duty@nightwatch.example", "soc@nightwatch.example"]
    assert full.outputs["alerts_topic_arn"] == topic["arn"]


def test_findings_at_or_above_the_threshold_route_to_the_topic(full: Graph) -> None:
    topic_arn = full["alerts"]["arn"]
    guardduty, securityhub = full["guardduty-rule"], full["securityhub-rule"]
    assert json.loads(guardduty["event_pattern"]) == guardduty_findings_pattern("medium")
    # GuardDuty findings reach Security Hub too; they alert once, through the GuardDuty rule.
    assert json.loads(securityhub["event_pattern"]) == securityhub_findings_pattern("medium", ("GuardDuty",))
    tampering = json.loads(full["trail-tampering-rule"]["event_pattern"])
    assert tampering["detail"]["eventName"] == ["StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors"]
    for rule in (guardduty, securityhub, full["trail-tampering-rule"]):
        assert rule["targets"] == {"alerts": topic_arn}
        assert rule["enabled"] is True
    assert full.outputs["finding_rules"] == {
        "guardduty": guardduty["arn"],
        "securityhub": securityhub["arn"],
        "trail-tampering": full["trail-tampering-rule"]["arn"],
    }


def test_outputs_name_what_peers_need(full: Graph) -> None:
    assert set(full.outputs) == {
        "kms_key_arn",
        "trail_arn",
        "trail_bucket",
        "logs_bucket",
        "detector_id",
        "security_hub_arn",
        "standards",
        "config_recorder",
        "alerts_topic_arn",
        "finding_rules",
    }
    assert full.outputs["trail_bucket"] == full["trail-bucket"]["bucket_name"]
    assert full.outputs["config_recorder"] == "soc-config-id"


def test_guardduty_alone_builds_no_trail_hub_or_config() -> None:
    graph = build(_plan(services=["guardduty"], min_severity="high"))

    assert set(graph.resources) == {"soc-key", "soc-logs-bucket", "soc-guardduty", "soc-alerts", "soc-guardduty-rule"}
    assert json.loads(graph["guardduty-rule"]["event_pattern"]) == guardduty_findings_pattern("high")
    statements = json.loads(graph["key"]["key_policy"])["Statement"]
    assert "CloudTrailEncryptLogs" not in {s["Sid"] for s in statements}
    assert {s["Sid"] for s in json.loads(graph["logs-bucket"]["bucket_policy"])["Statement"]} == {
        "GuardDutyBucketLocation",
        "GuardDutyExport",
        "DenyInsecureTransport",
    }


def test_security_hub_alone_routes_every_product_and_needs_no_bucket() -> None:
    graph = build(_plan(services=["securityhub"], compliance=(), min_severity="critical"))

    assert set(graph.resources) == {"soc-key", "soc-securityhub", "soc-alerts", "soc-securityhub-rule"}
    assert json.loads(graph["securityhub-rule"]["event_pattern"]) == securityhub_findings_pattern("critical")
    assert graph["securityhub"]["standards"] == [
        standard_arn(REGION, "aws-foundational-security-best-practices/v/1.0.0")
    ]


def test_trail_retention_defaults_to_a_year() -> None:
    graph = build(_plan(services=["cloudtrail"], retention=None))

    assert set(graph.resources) == {"soc-key", "soc-trail-bucket", "soc-trail", "soc-alerts", "soc-trail-tampering-rule"}
    assert graph["trail-bucket"]["lifecycle_expiration_days"] == 365
