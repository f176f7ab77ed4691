"""Backup-plan rules (schedule against RPO, retention, copy) and flow-log retention, audited live.

Resources are made with boto3 directly, the way an administrator would change
them outside provision; the expected details are literal.
"""

from __future__ import annotations

import boto3
import pytest

from provision.stacks.verify.checks import backup_plan, network
from provision.stacks.verify.checks.backup_plan import longest_gap_hours
from provision.stacks.verify.model import LiveResource

REGION = "eu-west-1"
COPY_VAULT = "arn:aws:backup:eu-central-1:123456789012:backup-vault:copy"
ELSEWHERE_VAULT = "arn:aws:backup:us-east-1:123456789012:backup-vault:copy"


@pytest.mark.parametrize(
    ("expression", "hours"),
    [
        ("cron(0 5 ? * * *)", 24),
        ("cron(0 * ? * * *)", 1),
        ("cron(0 */6 ? * * *)", 6),
        ("cron(0 */5 ? * * *)", 5),  # 0, 5, ..., 20, then 4 hours to midnight
        ("cron(0 1,13 ? * * *)", 12),
        ("cron(30 2,4 ? * * *)", 22),
        ("cron(0 5 */2 * ? *)", 48),
        ("cron(0 5 ? * SUN *)", 168),
        ("rate(1 hour)", None),
        ("cron(0 5 1 * ? *)", None),  # monthly: not something to guess at
    ],
)
def test_longest_gap_of_a_schedule(expression, hours) -> None:
    assert longest_gap_hours(expression) == hours


def backup_rule(name: str = "daily", schedule: str = "cron(0 5 ? * * *)", keep: int = 35, copy_to: str | None = COPY_VAULT,
                copy_keep: int = 35) -> dict:
    rule = {"RuleName": name, "TargetBackupVaultName": "vault", "ScheduleExpression": schedule,
            "Lifecycle": {"DeleteAfterDays": keep}}
    if copy_to:
        rule["CopyActions"] = [{"DestinationBackupVaultArn": copy_to, "Lifecycle": {"DeleteAfterDays": copy_keep}}]
    return rule


@pytest.fixture
def backup_plan_of(aws):
    """A backup plan with these rules, as the `backups` function's (saas-startup: RPO 24 h, 35 days, copy to eu-central-1)."""
    backup = boto3.client("backup", region_name=REGION)
    backup.create_backup_vault(BackupVaultName="vault")

    def make(*rules: dict) -> LiveResource:
        created = backup.create_backup_plan(BackupPlan={"BackupPlanName": "plan", "Rules": list(rules)})
        return LiveResource(urn="urn:plan", name="backups-plan", kind="BackupPlan", function="backups",
                            id=created["BackupPlanId"], outputs={"arn": created["BackupPlanArn"]}, region=REGION)

    return make


def details(check, resource, ctx, results) -> list[tuple[bool, str]]:
    return [(r.passed, r.detail) for r in results(check, resource, ctx)]


def test_the_programs_plan_passes(backup_plan_of, verify_ctx, results) -> None:
    plan = backup_plan_of(backup_rule())
    ctx = verify_ctx(plan)
    assert details(backup_plan.schedule, plan, ctx, results) == [
        (True, "rule daily backs up at least every 24 h, within the RPO of 24 h")]
    assert details(backup_plan.retention, plan, ctx, results) == [
        (True, "recovery points and copies are kept at least 35 days")]
    assert details(backup_plan.copy, plan, ctx, results) == [
        (True, "every rule copies its recovery points to a vault in eu-central-1")]


@pytest.mark.parametrize(
    ("rule", "check", "expected"),
    [
        (backup_rule(schedule="cron(0 5 ? * SUN *)"), backup_plan.schedule,
         "no rule backs up within the RPO of 24 h: daily every 168 h"),
        (backup_rule(keep=7), backup_plan.retention,
         "retention is 35 days in the plan, but rule daily deletes after 7 days"),
        (backup_rule(copy_keep=1), backup_plan.retention,
         "retention is 35 days in the plan, but rule daily deletes copies after 1 days"),
        (backup_rule(copy_to=None), backup_plan.copy,
         "rule(s) daily copy no recovery point to eu-central-1, the plan's copyToRegion"),
        (backup_rule(copy_to=ELSEWHERE_VAULT), backup_plan.copy,
         "rule(s) daily copy no recovery point to eu-central-1, the plan's copyToRegion"),
    ],
)
def test_a_weakened_rule_fails(backup_plan_of, verify_ctx, results, rule, check, expected) -> None:
    plan = backup_plan_of(rule)
    assert details(check, plan, verify_ctx(plan), results) == [(False, expected)]


@pytest.fixture
def flow_log(aws, example, service_role):
    """eu-fintech's payments-net flow log (the plan says 400 days) to a log group kept `days`."""
    fintech = example("eu-fintech.yaml")

    def make(days: int | None, *, group: str = "/vpc/payments-net") -> tuple[LiveResource, object]:
        logs = boto3.client("logs", region_name=fintech.region)
        logs.create_log_group(logGroupName="/vpc/payments-net")
        if days is not None:
            logs.put_retention_policy(logGroupName="/vpc/payments-net", retentionInDays=days)
        ec2 = boto3.client("ec2", region_name=fintech.region)
        vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
        role = service_role("flow-logs", "vpc-flow-logs.amazonaws.com")
        created = ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL", LogGroupName=group,
                                       DeliverLogsPermissionArn=role)
        resource = LiveResource(urn="urn:flow", name="payments-net-flow-log", kind="FlowLog", function="payments-net",
                                id=created["FlowLogIds"][0], region=fintech.region)
        return resource, fintech

    return make


@pytest.mark.parametrize(
    ("days", "group", "expected"),
    [
        (400, "/vpc/payments-net", (True, "log group /vpc/payments-net keeps events 400 days")),
        (30, "/vpc/payments-net", (False, "log group /vpc/payments-net keeps events 30 days, the plan says 400")),
        (None, "/vpc/payments-net", (False, "log group /vpc/payments-net keeps events forever, the plan says 400 days")),
        (400, "/vpc/elsewhere", (False, "its log group /vpc/elsewhere does not exist")),
    ],
)
def test_flow_log_retention(flow_log, verify_ctx, results, days, group, expected) -> None:
    resource, fintech = flow_log(days, group=group)
    assert details(network.flow_log_retention, resource, verify_ctx(resource, of=fintech), results) == [expected]
