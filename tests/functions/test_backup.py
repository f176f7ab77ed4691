"""The backup program's resource graph under Pulumi mocks."""

from __future__ import annotations

import dataclasses
import json

import pytest

from provision.stacks.functions import backup
from provision.stacks.functions.base import FunctionContext
from provision.stacks.providers.kms_key import key_policy

COMPONENT = "provision:function:Backup"
TAGS = {
    "provision:plan": "acme-prod",
    "provision:function": "backups",
    "provision:provider": "aws",
    "provision:environment": "prod",
}


@pytest.fixture
def ctx(make_plan, ctx_for):
    def make(**section):
        settings = {"protects": ["web", "files"], "rpoHours": 24, "retentionDays": 35, **section}
        plan = make_plan(
            {
                "web": {"type": "hosting", "provider": "aws", "hosting": {"kind": "static-site"}},
                "files": {"type": "network", "provider": "aws", "network": {"cidr": "10.0.0.0/16"}},
                "backups": {"type": "backup", "provider": "aws", "backup": settings},
            }
        )
        return ctx_for(plan, "backups")

    return make


@pytest.fixture
def full(graph_of, ctx):
    return graph_of(backup.build, ctx(copyToRegion="eu-central-1", immutable=True))


def test_builds_everything_under_the_component(full) -> None:
    assert full.providers == {
        "backups-key": "KmsKeyProvider",
        "backups-events": "SnsTopicProvider",
        "backups-vault": "BackupVaultProvider",
        "backups-copy-key": "KmsKeyProvider",
        "backups-copy-vault": "BackupVaultProvider",
        "backups-plan": "BackupPlanProvider",
        "backups-role": "IamRoleProvider",
        "backups-protect-web": "BackupSelectionProvider",
        "backups-protect-files": "BackupSelectionProvider",
    }
    assert set(full.parent_types.values()) == {COMPONENT}


def test_every_taggable_resource_carries_the_function_tags(full) -> None:
    tagged = {name: r["tags"] for name, r in full.resources.items() if "tags" in r}
    # Selections are the only resource AWS Backup cannot tag.
    assert set(full.resources) - set(tagged) == {"backups-protect-web", "backups-protect-files"}
    assert tagged == {name: TAGS for name in tagged}


def test_key_is_rotated_and_usable_by_backup(full, account_id, region) -> None:
    key = full["backups-key"]
    assert (key["enable_key_rotation"], key["region"]) == (True, region)
    assert key["key_policy"] == key_policy(account_id, ["backup.amazonaws.com"])


def test_immutable_vault_is_locked_for_the_retention_in_compliance_mode(full, ctx, region) -> None:
    vault = full["backups-vault"]
    assert vault["vault_name"] == ctx().physical_name("vault", kind="backup-vault")
    assert vault["kms_key_arn"] == full["backups-key"]["arn"]
    assert vault["region"] == region
    assert (vault["lock_min_retention_days"], vault["lock_changeable_for_days"]) == (35, 3)
    assert vault["force_destroy"] is False
    # Recovery points can be deleted by the deployer only (vault access policy), in both vaults.
    assert (vault["protect_recovery_points"], full["backups-copy-vault"]["protect_recovery_points"]) == (True, True)


def test_vaults_keep_recovery_points_on_every_target(full) -> None:
    # One program for sandbox and AWS: only `destroy --force-delete-data` deletes recovery points.
    assert (full["backups-vault"]["force_destroy"], full["backups-copy-vault"]["force_destroy"]) == (False, False)
    assert not any(f.name == "disposable" for f in dataclasses.fields(FunctionContext))


def test_vault_events_go_to_an_encrypted_topic_for_the_plan_owner(full) -> None:
    vault, topic = full["backups-vault"], full["backups-events"]
    assert vault["notification_topic_arn"] == topic["arn"]
    assert vault["notification_events"] == sorted(backup.VAULT_EVENTS)
    assert topic["kms_master_key_id"] == full["backups-key"]["arn"]
    assert topic["publisher_services"] == ["backup.amazonaws.com"]
    assert topic["email_subscriptions"] == ["platform@acme.example"]


def test_copy_region_gets_its_own_key_and_locked_vault(full) -> None:
    copy_key, copy_vault = full["backups-copy-key"], full["backups-copy-vault"]
    assert copy_key["region"] == copy_vault["region"] == "eu-central-1"
    assert copy_vault["kms_key_arn"] == copy_key["arn"]
    assert copy_vault["lock_min_retention_days"] == 35
    assert full.outputs["copy_vault_arn"] == copy_vault["arn"]


def test_plan_meets_rpo_and_retention_and_copies_across_regions(full) -> None:
    [rule] = full["backups-plan"]["rules"]
    assert rule == {
        "rule_name": "rpo-24h",
        "target_vault_name": full["backups-vault"]["vault_name"],
        "schedule": "cron(0 5 ? * * *)",
        "start_window_minutes": 60,
        "completion_window_minutes": 1440,
        "delete_after_days": 35,
        "copy_to_vault_arn": full["backups-copy-vault"]["arn"],
    }


def test_service_role_trusts_only_aws_backup(full, account_id) -> None:
    role = full["backups-role"]
    assert json.loads(role["assume_role_policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"}, "Action": "sts:AssumeRole",
             # Only when acting for this account: no confused deputy.
             "Condition": {"StringEquals": {"aws:SourceAccount": account_id}}}
        ],
    }
    assert role["max_session_duration"] == 3600
    # The protected hosting function keeps its data in S3.
    assert role["managed_policy_arns"] == [
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
        "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup",
    ]


def test_one_tag_selection_per_protected_function(full) -> None:
    for name in ("web", "files"):
        selection = full[f"backups-protect-{name}"]
        assert selection["selection_name"] == f"protect-{name}"
        assert selection["plan_id"] == full["backups-plan"]["plan_id"]
        assert selection["iam_role_arn"] == full["backups-role"]["arn"]
        assert selection["match_all_tags"] == {
            "provision:plan": "acme-prod",
            "provision:function": name,
            "provision:environment": "prod",
            # Only data resources carry it: never the unversioned access-log buckets.
            "provision:backup": "data",
        }


def test_mutable_backups_without_copy(graph_of, ctx) -> None:
    graph = graph_of(backup.build, ctx(protects=["files"], rpoHours=1, retentionDays=7))

    assert "backups-copy-vault" not in graph.resources and "backups-copy-key" not in graph.resources
    assert "lock_min_retention_days" not in graph["backups-vault"]
    [rule] = graph["backups-plan"]["rules"]
    assert (rule["schedule"], rule["delete_after_days"]) == ("cron(0 * ? * * *)", 7)
    assert "copy_to_vault_arn" not in rule
    assert graph["backups-role"]["managed_policy_arns"] == [
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
    ]
    assert "copy_vault_arn" not in graph.outputs


def test_outputs(full) -> None:
    assert full.outputs == {
        "vault_name": full["backups-vault"]["vault_name"],
        "vault_arn": full["backups-vault"]["arn"],
        "plan_id": full["backups-plan"]["plan_id"],
        "plan_arn": full["backups-plan"]["arn"],
        "backup_role_arn": full["backups-role"]["arn"],
        "kms_key_arn": full["backups-key"]["arn"],
        "notification_topic_arn": full["backups-events"]["arn"],
        "copy_vault_arn": full["backups-copy-vault"]["arn"],
    }


def test_arns_follow_the_partition_of_the_plans_region(graph_of, ctx, account_id, monkeypatch: pytest.MonkeyPatch) -> None:
    # GovCloud and China have their own partitions: no ARN may assume "aws".
    monkeypatch.setattr(FunctionContext, "partition", property(lambda self: "aws-us-gov"))
    graph = graph_of(backup.build, ctx())

    assert graph["backups-role"]["managed_policy_arns"][0] == (
        "arn:aws-us-gov:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
    )
    admin = json.loads(graph["backups-key"]["key_policy"])["Statement"][0]
    assert admin["Principal"] == {"AWS": f"arn:aws-us-gov:iam::{account_id}:root"}
