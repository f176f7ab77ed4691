"""BackupPlanProvider against moto (with the UpdateBackupPlan gap fill), and the RPO arithmetic."""

from __future__ import annotations

import boto3
import pytest

from provision.stacks.providers.backup_plan import BackupPlanProvider, rule_for_rpo, schedule_for_rpo
from provision.stacks.providers.base import ProviderError

COPY_VAULT = "arn:aws:backup:eu-central-1:123456789012:backup-vault:acme-copy"


@pytest.mark.parametrize(
    ("rpo_hours", "schedule"),
    [
        (1, "cron(0 * ? * * *)"),
        (2, "cron(0 */2 ? * * *)"),
        (5, "cron(0 */4 ? * * *)"),
        (12, "cron(0 */12 ? * * *)"),
        (24, "cron(0 5 ? * * *)"),
        (36, "cron(0 5 ? * * *)"),
        (48, "cron(0 5 */2 * ? *)"),
        (100, "cron(0 5 */4 * ? *)"),
        (168, "cron(0 5 ? * SUN *)"),
    ],
)
def test_schedule_meets_the_rpo(rpo_hours: int, schedule: str) -> None:
    assert schedule_for_rpo(rpo_hours) == schedule


def test_an_rpo_under_an_hour_is_refused() -> None:
    with pytest.raises(ValueError, match="^an RPO of 0 hours is below AWS Backup's hourly minimum$"):
        schedule_for_rpo(0)


def test_rule_for_rpo() -> None:
    assert rule_for_rpo("daily", "acme-vault", rpo_hours=24, retention_days=35, copy_to_vault_arn=COPY_VAULT) == {
        "rule_name": "daily",
        "target_vault_name": "acme-vault",
        "schedule": "cron(0 5 ? * * *)",
        "start_window_minutes": 60,
        "completion_window_minutes": 1440,
        "delete_after_days": 35,
        "copy_to_vault_arn": COPY_VAULT,
    }
    hourly = rule_for_rpo("hourly", "acme-vault", rpo_hours=1, retention_days=7)
    assert "copy_to_vault_arn" not in hourly
    assert (hourly["start_window_minutes"], hourly["completion_window_minutes"]) == (60, 120)


def _props(**overrides):
    props = {
        "plan_name": "acme-backups",
        "rules": [rule_for_rpo("daily", "acme-vault", rpo_hours=24, retention_days=35, copy_to_vault_arn=COPY_VAULT)],
        "region": None,
        "tags": {"provision:plan": "acme"},
    }
    return {**props, **overrides}


@pytest.fixture
def backup(aws, region):
    return boto3.client("backup", region_name=region)


def test_create_writes_schedule_retention_copy_and_tags(backup) -> None:
    result = BackupPlanProvider().create(_props())

    assert result.outs["plan_id"] == result.id
    plan = backup.get_backup_plan(BackupPlanId=result.id)
    assert plan["BackupPlanArn"] == result.outs["arn"]
    assert plan["VersionId"] == result.outs["version_id"]
    [rule] = plan["BackupPlan"]["Rules"]
    assert rule["RuleName"] == "daily"
    assert rule["TargetBackupVaultName"] == "acme-vault"
    assert rule["ScheduleExpression"] == "cron(0 5 ? * * *)"
    assert (rule["StartWindowMinutes"], rule["CompletionWindowMinutes"]) == (60, 1440)
    assert rule["Lifecycle"] == {"DeleteAfterDays": 35}
    assert rule["CopyActions"] == [{"DestinationBackupVaultArn": COPY_VAULT, "Lifecycle": {"DeleteAfterDays": 35}}]
    assert backup.list_tags(ResourceArn=result.outs["arn"])["Tags"] == {"provision:plan": "acme"}


def test_read_matches_create(backup) -> None:
    provider = BackupPlanProvider()
    created = provider.create(_props())

    assert provider.read(created.id, created.outs).outs == created.outs


def test_read_reflects_drift(backup) -> None:
    provider = BackupPlanProvider()
    created = provider.create(_props())
    backup.update_backup_plan(
        BackupPlanId=created.id,
        BackupPlan={
            "BackupPlanName": "acme-backups",
            "Rules": [
                {"RuleName": "daily", "TargetBackupVaultName": "acme-vault", "Lifecycle": {"DeleteAfterDays": 1}}
            ],
        },
    )

    [rule] = provider.read(created.id, created.outs).outs["rules"]

    assert rule["delete_after_days"] == 1
    assert "copy_to_vault_arn" not in rule


def test_read_returns_none_for_deleted_or_unknown_plans(backup) -> None:
    provider = BackupPlanProvider()
    created = provider.create(_props())
    backup.delete_backup_plan(BackupPlanId=created.id)

    assert provider.read(created.id, created.outs) is None
    assert provider.read("no-such-plan", created.outs) is None


def test_diff_replaces_only_for_a_new_region() -> None:
    olds = {**_props(), "arn": "arn", "plan_id": "id", "version_id": "v1"}
    provider = BackupPlanProvider()

    assert provider.diff("id", olds, _props(region="eu-central-1")).replaces == ["region"]
    for change in ({"plan_name": "renamed"}, {"rules": []}, {"tags": {}}):
        diff = provider.diff("id", olds, _props(**change))
        assert (diff.changes, diff.replaces) == (True, [])


def test_update_changes_rules_name_and_tags_in_place(backup) -> None:
    provider = BackupPlanProvider()
    olds = provider.create(_props()).outs
    news = _props(
        plan_name="acme-hourly",
        rules=[rule_for_rpo("hourly", "acme-vault", rpo_hours=1, retention_days=7)],
        tags={"team": "ops"},
    )

    result = provider.update(olds["plan_id"], olds, news)

    assert result.outs["plan_id"] == olds["plan_id"]
    assert result.outs["version_id"] != olds["version_id"]
    plan = backup.get_backup_plan(BackupPlanId=olds["plan_id"])["BackupPlan"]
    assert plan["BackupPlanName"] == "acme-hourly"
    assert [r["ScheduleExpression"] for r in plan["Rules"]] == ["cron(0 * ? * * *)"]
    assert backup.list_tags(ResourceArn=olds["arn"])["Tags"] == {"team": "ops"}
    assert provider.read(olds["plan_id"], result.outs).outs == result.outs


def test_delete_and_delete_when_gone(backup) -> None:
    provider = BackupPlanProvider()
    created = provider.create(_props())

    provider.delete(created.id, created.outs)
    provider.delete(created.id, created.outs)
    provider.delete("no-such-plan", created.outs)

    assert provider.read(created.id, created.outs) is None


def test_delete_with_selections_left_names_the_aws_error(backup, service_role) -> None:
    provider = BackupPlanProvider()
    created = provider.create(_props())
    role = service_role("r", "backup.amazonaws.com")
    backup.create_backup_selection(
        BackupPlanId=created.id,
        BackupSelection={"SelectionName": "web", "IamRoleArn": role, "Resources": ["*"]},
    )

    with pytest.raises(ProviderError, match=rf"^Backup plan {created.id}: DeleteBackupPlan: InvalidRequestException: "):
        provider.delete(created.id, created.outs)


def test_duplicate_plan_name_is_reported(backup) -> None:
    BackupPlanProvider().create(_props())

    with pytest.raises(ProviderError, match=r"^Backup plan acme-backups: CreateBackupPlan: AlreadyExistsException: "):
        BackupPlanProvider().create(_props())
