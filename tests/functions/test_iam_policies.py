"""Least-privilege statements per function type, and the checker that guards them."""

from __future__ import annotations

import json

import pytest

from provision.stacks.functions import iam_policies
from provision.stacks.functions.iam_policies import MissingOutput, Scope, statements_for
from provision.stacks.verify.policy_documents import privilege_problems

OUTPUTS = {
    "hosting": {
        "bucket_arn": "arn:aws:s3:::site",
        "distribution_arn": "arn:aws:cloudfront::111122223333:distribution/E1",
        "kms_key_arn": "arn:aws:kms:eu-west-1:111122223333:key/k1",
    },
    "backup": {
        "vault_arn": "arn:aws:backup:eu-west-1:111122223333:backup-vault:v",
        "copy_vault_arn": "arn:aws:backup:eu-central-1:111122223333:backup-vault:c",
        "plan_arn": "arn:aws:backup:eu-west-1:111122223333:backup-plan:p",
        "backup_role_arn": "arn:aws:iam::111122223333:role/backup",
    },
    "security-monitoring": {
        "kms_key_arn": "arn:aws:kms:eu-west-1:111122223333:key/k2",
        "trail_arn": "arn:aws:cloudtrail:eu-west-1:111122223333:trail/t",
        "trail_bucket": "trail-bucket",
        "logs_bucket": "logs-bucket",
        "detector_id": "d1",
        "security_hub_arn": "arn:aws:securityhub:eu-west-1:111122223333:hub/default",
        "config_recorder": "default",
    },
    "network": {"flow_log_group": "/provision/flow-logs"},
    "monitoring": {"alarm_arns": ["arn:aws:cloudwatch:eu-west-1:111122223333:alarm:a"]},
    "data-exchange": {
        "bucket_arn": "arn:aws:s3:::exchange",
        "kms_key_arn": "arn:aws:kms:eu-west-1:111122223333:key/k3",
    },
}
SECTIONS = {
    "hosting": {"kind": "static-site"},
    "backup": {"protects": ["web"], "rpoHours": 24, "retentionDays": 35},
    "security-monitoring": {
        "services": ["guardduty", "cloudtrail", "securityhub", "config"],
        "alerts": {"minSeverity": "high", "notify": ["a@b.example"]},
    },
    "network": {"cidr": "10.0.0.0/16"},
    "monitoring": {
        "watches": ["web"],
        "notify": ["a@b.example"],
        "runbookActions": ["ec2:RebootInstances", "rds:RebootDBInstance"],
    },
    "data-exchange": {"retentionDays": 30},
}
SECTION_KEY = {"security-monitoring": "securityMonitoring", "data-exchange": "dataExchange"}


@pytest.fixture
def plan(make_plan):
    functions = {
        "web" if type_ == "hosting" else type_: {
            "type": type_,
            "provider": "nightwatch",
            SECTION_KEY.get(type_, type_): section,
        }
        for type_, section in SECTIONS.items()
    }
    return make_plan(functions)


@pytest.fixture
def scope(plan, account_id, region):
    return Scope(plan=plan, account_id=account_id, region=region)


def _function(plan, type_):
    return next(f for f in plan.functions.values() if f.type == type_)


# Written out here, not imported: what an operator must never get, and the reads AWS cannot scope.
NEVER_GRANTED = {
    "backup:DeleteBackupVault", "backup:DeleteRecoveryPoint", "backup:DeleteBackupVaultLockConfiguration",
    "cloudtrail:DeleteTrail", "cloudtrail:StopLogging", "config:StopConfigurationRecorder", "guardduty:DeleteDetector",
    "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:DeleteRolePermissionsBoundary",
    "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:DisableKey", "s3:DeleteBucket", "s3:PutBucketPolicy",
    "s3:PutBucketPublicAccessBlock", "securityhub:DisableSecurityHub",
}  # fmt: skip
UNSCOPABLE_READS = {
    "backup:ListBackupJobs", "backup:ListCopyJobs", "backup:ListRestoreJobs", "cloudtrail:LookupEvents",
    "cloudwatch:DescribeAlarms", "cloudwatch:GetMetricData", "cloudwatch:ListMetrics",
    "config:DescribeComplianceByConfigRule", "config:DescribeConfigurationRecorderStatus", "ec2:DescribeFlowLogs",
    "ec2:DescribeInternetGateways", "ec2:DescribeNatGateways", "ec2:DescribeNetworkAcls", "ec2:DescribeRouteTables",
    "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs", "logs:GetQueryResults",
}  # fmt: skip


@pytest.mark.parametrize("type_", sorted(SECTIONS))
def test_every_type_keeps_least_privilege(plan, scope, type_) -> None:
    statements = statements_for(_function(plan, type_), OUTPUTS[type_], scope)

    assert statements
    assert privilege_problems(iam_policies.document(statements)) == []
    granted = {a for s in statements if s["Effect"] == "Allow" for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert granted.isdisjoint(NEVER_GRANTED)
    unscoped = {a for s in statements if s["Resource"] in ("*", ["*"]) for a in s["Action"]}
    assert unscoped <= UNSCOPABLE_READS, unscoped - UNSCOPABLE_READS
    assert len({s["Sid"] for s in statements}) == len(statements)


def test_hosting_keys_are_used_only_through_s3(plan, scope) -> None:
    statements = {s["Sid"]: s for s in statements_for(_function(plan, "hosting"), OUTPUTS["hosting"], scope)}

    assert statements["UseSiteKey"]["Resource"] == [OUTPUTS["hosting"]["kms_key_arn"]]
    assert statements["UseSiteKey"]["Condition"] == {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}


def test_backup_covers_the_copy_vault_and_never_deletes(plan, scope) -> None:
    statements = {s["Sid"]: s for s in statements_for(_function(plan, "backup"), OUTPUTS["backup"], scope)}

    assert statements["InspectVaults"]["Resource"] == sorted(
        [OUTPUTS["backup"]["vault_arn"], OUTPUTS["backup"]["copy_vault_arn"]]
    )
    assert statements["StartBackups"]["Resource"] == [OUTPUTS["backup"]["vault_arn"]]
    actions = {a for s in statements.values() for a in s["Action"]}
    assert not any(a.startswith("backup:Delete") for a in actions)


def test_security_monitoring_follows_the_services_in_use(plan, scope) -> None:
    full = {
        s["Sid"]: s
        for s in statements_for(_function(plan, "security-monitoring"), OUTPUTS["security-monitoring"], scope)
    }
    assert full["TriageGuardDuty"]["Resource"] == ["arn:aws:guardduty:eu-west-1:111122223333:detector/d1"]
    assert full["ReadLogs"]["Resource"] == ["arn:aws:s3:::logs-bucket/*", "arn:aws:s3:::trail-bucket/*"]

    only_guardduty = statements_for(_function(plan, "security-monitoring"), {"detector_id": "d1"}, scope)
    assert {s["Sid"] for s in only_guardduty} == {"LookupEvents", "TriageGuardDuty"}


def test_network_reads_only_its_flow_log_group(plan, scope) -> None:
    statements = {s["Sid"]: s for s in statements_for(_function(plan, "network"), OUTPUTS["network"], scope)}

    group = "arn:aws:logs:eu-west-1:111122223333:log-group:/provision/flow-logs"
    assert statements["ReadFlowLogs"]["Resource"] == [group, f"{group}:*"]
    assert statements["DescribeNetwork"]["Resource"] == "*"
    assert all(a.startswith("ec2:Describe") for a in statements["DescribeNetwork"]["Action"])


def test_runbook_actions_reach_only_watched_functions_of_this_plan(plan, scope) -> None:
    statements = {s["Sid"]: s for s in statements_for(_function(plan, "monitoring"), OUTPUTS["monitoring"], scope)}

    runbook = statements["RunbookActions"]
    assert runbook["Action"] == ["ec2:RebootInstances", "rds:RebootDBInstance"]
    assert runbook["Resource"] == ["arn:aws:ec2:eu-west-1:111122223333:*", "arn:aws:rds:eu-west-1:111122223333:*"]
    assert runbook["Condition"] == {
        "StringEquals": {
            "aws:ResourceTag/provision:plan": "acme-prod",
            "aws:ResourceTag/provision:environment": "prod",
            "aws:ResourceTag/provision:function": ["web"],
        }
    }


def test_a_missing_output_is_named(plan, scope) -> None:
    with pytest.raises(
        MissingOutput,
        match=r"^function 'data-exchange' \(data-exchange\) has no output 'kms_key_arn' to scope its access policy to$",
    ):
        statements_for(_function(plan, "data-exchange"), {"bucket_arn": "arn:aws:s3:::exchange"}, scope)


def test_boundary_merges_scoped_and_unscoped_statements() -> None:
    statements = [
        iam_policies.statement("A", ["s3:GetObject"], ["arn:aws:s3:::b/*"]),
        iam_policies.statement("B", ["kms:Decrypt"], ["arn:k"], {"StringEquals": {"kms:ViaService": "s3"}}),
        iam_policies.statement("C", ["cloudwatch:ListMetrics"], "*"),
    ]

    boundary = json.loads(iam_policies.guard_rail_boundary(statements))

    assert boundary["Statement"][:2] == [
        {
            "Sid": "AtMostTheseResources",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "s3:GetObject"],
            "Resource": ["arn:aws:s3:::b/*", "arn:k"],
        },
        {"Sid": "AtMostTheseReads", "Effect": "Allow", "Action": ["cloudwatch:ListMetrics"], "Resource": "*"},
    ]
    assert boundary["Statement"][2]["Effect"] == "Deny"


def test_data_exchange_vendor_reaches_only_its_own_prefix(plan, account_id, region) -> None:
    outputs = {**OUTPUTS["data-exchange"], "partner_prefixes": {"nightwatch": "partners/nightwatch/"}}
    scope = Scope(plan=plan, account_id=account_id, region=region, provider="nightwatch")

    by_sid = {s["Sid"]: s for s in statements_for(_function(plan, "data-exchange"), outputs, scope)}

    assert by_sid["ExchangeFiles"]["Resource"] == ["arn:aws:s3:::exchange/partners/nightwatch/*"]
    assert by_sid["ListExchange"]["Condition"] == {"StringLike": {"s3:prefix": ["partners/nightwatch/*"]}}
    assert by_sid["LocateExchange"]["Action"] == ["s3:GetBucketLocation"]



def test_runbook_grants_build_arns_global_services_can_match(make_plan, account_id, region) -> None:
    # CloudFront and IAM ARNs carry no region; S3 and Route 53 ARNs neither region nor account.
    actions = ["cloudfront:CreateInvalidation", "ec2:RebootInstances", "iam:PassRole", "route53:ChangeResourceRecordSets",
               "s3:PutObject"]
    plan = make_plan({
        "web": {"type": "hosting", "provider": "aws", "hosting": {"kind": "static-site"}},
        "ops": {"type": "monitoring", "provider": "nightwatch",
                "monitoring": {"watches": ["web"], "notify": ["a@b.example"], "runbookActions": actions}},
    })
    scope = Scope(plan=plan, account_id=account_id, region=region)
    statements = {s["Sid"]: s for s in statements_for(plan.functions["ops"], OUTPUTS["monitoring"], scope)}
    assert statements["RunbookActions"]["Resource"] == [
        "arn:aws:cloudfront::111122223333:*",
        "arn:aws:ec2:eu-west-1:111122223333:*",
        "arn:aws:iam::111122223333:*",
        "arn:aws:route53:::*",
        "arn:aws:s3:::*",
    ]
