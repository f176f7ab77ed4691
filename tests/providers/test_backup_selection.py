"""BackupSelectionProvider against moto (with the selection gap fill): tag selection, replace-only, errors."""

from __future__ import annotations

import boto3
import pytest

from provision.stacks.providers.backup_selection import BackupSelectionProvider
from provision.stacks.providers.base import ProviderError

ROLE = "arn:aws:iam::123456789012:role/acme-backup"


@pytest.fixture
def backup(aws, region, service_role):
    assert service_role("acme-backup", "backup.amazonaws.com") == ROLE
    return boto3.client("backup", region_name=region)


@pytest.fixture
def plan_id(backup) -> str:
    return backup.create_backup_plan(
        BackupPlan={"BackupPlanName": "acme", "Rules": [{"RuleName": "daily", "TargetBackupVaultName": "acme-vault"}]}
    )["BackupPlanId"]


def _props(plan_id: str, **overrides):
    props = {
        "plan_id": plan_id,
        "selection_name": "acme-web",
        "iam_role_arn": ROLE,
        "match_all_tags": {"provision:plan": "acme", "provision:function": "web"},
        "match_any_tags": {},
        "resources": [],
        "region": None,
    }
    return {**props, **overrides}


def test_create_selects_by_plan_and_function_tags(backup, plan_id) -> None:
    result = BackupSelectionProvider().create(_props(plan_id))

    assert result.outs["selection_id"] == result.id
    selection = backup.get_backup_selection(BackupPlanId=plan_id, SelectionId=result.id)["BackupSelection"]
    assert selection["SelectionName"] == "acme-web"
    assert selection["IamRoleArn"] == ROLE
    assert selection["Resources"] == ["*"]
    assert selection["Conditions"]["StringEquals"] == [
        {"ConditionKey": "aws:ResourceTag/provision:function", "ConditionValue": "web"},
        {"ConditionKey": "aws:ResourceTag/provision:plan", "ConditionValue": "acme"},
    ]
    assert selection["ListOfTags"] == []


def test_create_with_any_of_tags(backup, plan_id) -> None:
    props = _props(plan_id, match_all_tags={}, match_any_tags={"provision:function": "web"})

    result = BackupSelectionProvider().create(props)

    selection = backup.get_backup_selection(BackupPlanId=plan_id, SelectionId=result.id)["BackupSelection"]
    assert selection["ListOfTags"] == [
        {"ConditionType": "STRINGEQUALS", "ConditionKey": "provision:function", "ConditionValue": "web"}
    ]
    assert selection["Resources"] == []
    assert BackupSelectionProvider().read(result.id, result.outs).outs == result.outs


def test_read_matches_create(backup, plan_id) -> None:
    provider = BackupSelectionProvider()
    created = provider.create(_props(plan_id))

    assert provider.read(created.id, created.outs).outs == created.outs


def test_read_returns_none_when_the_selection_or_its_plan_is_gone(backup, plan_id) -> None:
    provider = BackupSelectionProvider()
    created = provider.create(_props(plan_id))
    backup.delete_backup_selection(BackupPlanId=plan_id, SelectionId=created.id)

    assert provider.read(created.id, created.outs) is None
    backup.delete_backup_plan(BackupPlanId=plan_id)
    assert provider.read(created.id, created.outs) is None


@pytest.mark.parametrize(
    "change",
    [
        {"plan_id": "other-plan"},
        {"selection_name": "renamed"},
        {"iam_role_arn": "arn:aws:iam::123456789012:role/other"},
        {"match_all_tags": {"provision:plan": "acme"}},
        {"match_any_tags": {"a": "b"}},
        {"resources": ["arn:aws:s3:::*"]},
    ],
)
def test_every_change_replaces(change) -> None:
    olds = {**_props("plan"), "selection_id": "sel"}

    diff = BackupSelectionProvider().diff("sel", olds, {**_props("plan"), **change})

    assert diff.changes is True
    assert diff.replaces == list(change)


def test_delete_and_delete_when_gone(backup, plan_id) -> None:
    provider = BackupSelectionProvider()
    created = provider.create(_props(plan_id))

    provider.delete(created.id, created.outs)
    provider.delete(created.id, created.outs)

    assert backup.list_backup_selections(BackupPlanId=plan_id)["BackupSelectionsList"] == []


def test_create_without_any_tag_or_resource_names_the_aws_error(backup, plan_id) -> None:
    with pytest.raises(
        ProviderError,
        match=rf"^Backup selection acme-web of plan {plan_id}: CreateBackupSelection: InvalidParameterValueException: "
        r"Invalid backup selection\. Either 'ListOfTags' or 'Resources' section must be non-empty\.$",
    ):
        BackupSelectionProvider().create(_props(plan_id, match_all_tags={}))


def test_create_on_an_unknown_plan_names_the_aws_error(backup) -> None:
    with pytest.raises(
        ProviderError,
        match=r"^Backup selection acme-web of plan nope: CreateBackupSelection: InvalidParameterValueException: ",
    ):
        BackupSelectionProvider().create(_props("nope"))


def test_create_waits_while_aws_backup_cannot_assume_a_new_role_yet(backup, plan_id, refuse_first) -> None:
    message = f"IAM Role {ROLE} cannot be assumed by AWS Backup"
    waits = refuse_first("backup", "CreateBackupSelection", "InvalidParameterValueException", message, times=3)

    result = BackupSelectionProvider().create(_props(plan_id))

    assert backup.get_backup_selection(BackupPlanId=plan_id, SelectionId=result.id)["BackupSelection"]["IamRoleArn"] == ROLE
    assert waits == [1.0, 2.0, 4.0]


def test_create_gives_up_after_about_two_minutes_and_names_the_error(backup, plan_id, refuse_first) -> None:
    message = f"IAM Role {ROLE} cannot be assumed by AWS Backup"
    waits = refuse_first("backup", "CreateBackupSelection", "InvalidParameterValueException", message, times=None)

    with pytest.raises(ProviderError, match=r"CreateBackupSelection: InvalidParameterValueException: IAM Role .* cannot be"):
        BackupSelectionProvider().create(_props(plan_id))

    assert 100 <= sum(waits) <= 150


def test_create_does_not_retry_other_invalid_values(backup, plan_id, refuse_first) -> None:
    waits = refuse_first("backup", "CreateBackupSelection", "InvalidParameterValueException", "Invalid tag key", times=1)

    with pytest.raises(ProviderError, match=r"InvalidParameterValueException: Invalid tag key"):
        BackupSelectionProvider().create(_props(plan_id))

    assert waits == []
