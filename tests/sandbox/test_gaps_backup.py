"""The backup gap fill: selections, UpdateBackupPlan and vault notifications through boto3."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from provision.stacks.sandbox.gaps import backup as backup_gap

REGION = "eu-west-1"
ROLE = "arn:aws:iam::123456789012:role/backup-service"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:backup-events"
TAG_CONDITIONS = {
    "StringEquals": [
        {"ConditionKey": "aws:ResourceTag/provision:plan", "ConditionValue": "acme"},
        {"ConditionKey": "aws:ResourceTag/provision:function", "ConditionValue": "web"},
    ]
}


@pytest.fixture(autouse=True)
def _credentials(gap_env) -> None:
    backup_gap.install()


@pytest.fixture
def backup(service_role):
    with mock_aws():
        service_role(boto3.client("iam", region_name=REGION), "backup-service", "backup.amazonaws.com")
        yield boto3.client("backup", region_name=REGION)


def _plan(backup, name: str = "daily") -> str:
    return backup.create_backup_plan(
        BackupPlan={"BackupPlanName": name, "Rules": [{"RuleName": "daily", "TargetBackupVaultName": "vault"}]}
    )["BackupPlanId"]


def _selection(name: str = "web", **extra):
    return {"SelectionName": name, "IamRoleArn": ROLE, "Resources": ["*"], "Conditions": TAG_CONDITIONS, **extra}


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def test_selection_lifecycle(backup) -> None:
    plan_id = _plan(backup)

    created = backup.create_backup_selection(
        BackupPlanId=plan_id, BackupSelection=_selection(), CreatorRequestId="req-1"
    )
    got = backup.get_backup_selection(BackupPlanId=plan_id, SelectionId=created["SelectionId"])
    listed = backup.list_backup_selections(BackupPlanId=plan_id)["BackupSelectionsList"]

    assert created["BackupPlanId"] == plan_id and created["CreationDate"]
    assert got["BackupSelection"] == {
        "SelectionName": "web",
        "IamRoleArn": ROLE,
        "Resources": ["*"],
        "ListOfTags": [],
        "NotResources": [],
        "Conditions": {**TAG_CONDITIONS, "StringNotEquals": [], "StringLike": [], "StringNotLike": []},
    }
    assert got["CreatorRequestId"] == "req-1"
    assert [(s["SelectionId"], s["SelectionName"], s["IamRoleArn"]) for s in listed] == [
        (created["SelectionId"], "web", ROLE)
    ]

    backup.delete_backup_selection(BackupPlanId=plan_id, SelectionId=created["SelectionId"])
    assert backup.list_backup_selections(BackupPlanId=plan_id)["BackupSelectionsList"] == []
    with pytest.raises(ClientError) as exc:
        backup.get_backup_selection(BackupPlanId=plan_id, SelectionId=created["SelectionId"])
    assert _error(exc)[0] == "ResourceNotFoundException"


def test_list_of_tags_selection(backup) -> None:
    plan_id = _plan(backup)
    tags = [{"ConditionType": "STRINGEQUALS", "ConditionKey": "provision:function", "ConditionValue": "web"}]

    created = backup.create_backup_selection(
        BackupPlanId=plan_id, BackupSelection={"SelectionName": "by-tag", "IamRoleArn": ROLE, "ListOfTags": tags}
    )

    got = backup.get_backup_selection(BackupPlanId=plan_id, SelectionId=created["SelectionId"])["BackupSelection"]
    assert got["ListOfTags"] == tags and got["Resources"] == []


def test_selection_needs_tags_or_resources(backup) -> None:
    plan_id = _plan(backup)

    with pytest.raises(ClientError) as exc:
        backup.create_backup_selection(
            BackupPlanId=plan_id,
            BackupSelection={"SelectionName": "x", "IamRoleArn": ROLE, "Conditions": TAG_CONDITIONS},
        )

    assert _error(exc) == (
        "InvalidParameterValueException",
        "Invalid backup selection. Either 'ListOfTags' or 'Resources' section must be non-empty.",
    )


def test_selection_on_an_unknown_or_deleted_plan(backup) -> None:
    with pytest.raises(ClientError) as exc:
        backup.create_backup_selection(BackupPlanId="no-such-plan", BackupSelection=_selection())
    assert _error(exc) == ("InvalidParameterValueException", "Invalid backup plan id: no-such-plan")

    plan_id = _plan(backup)
    backup.delete_backup_plan(BackupPlanId=plan_id)
    for call in (
        lambda: backup.list_backup_selections(BackupPlanId=plan_id),
        lambda: backup.get_backup_selection(BackupPlanId=plan_id, SelectionId="x"),
        lambda: backup.delete_backup_selection(BackupPlanId=plan_id, SelectionId="x"),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert _error(exc)[0] == "ResourceNotFoundException"


def test_list_selections_paginates(backup) -> None:
    plan_id = _plan(backup)
    for n in range(3):
        backup.create_backup_selection(BackupPlanId=plan_id, BackupSelection=_selection(f"s{n}"))

    pages = backup.get_paginator("list_backup_selections").paginate(
        BackupPlanId=plan_id, PaginationConfig={"PageSize": 2}
    )

    assert [[s["SelectionName"] for s in p["BackupSelectionsList"]] for p in pages] == [["s0", "s1"], ["s2"]]


def test_a_plan_with_selections_cannot_be_deleted(backup) -> None:
    plan_id = _plan(backup)
    selection_id = backup.create_backup_selection(BackupPlanId=plan_id, BackupSelection=_selection())["SelectionId"]

    with pytest.raises(ClientError) as exc:
        backup.delete_backup_plan(BackupPlanId=plan_id)
    assert _error(exc) == (
        "InvalidRequestException",
        "Related backup plan selections must be deleted prior to backup plan deletion",
    )

    backup.delete_backup_selection(BackupPlanId=plan_id, SelectionId=selection_id)
    backup.delete_backup_plan(BackupPlanId=plan_id)


def test_update_backup_plan_replaces_rules_and_the_version(backup) -> None:
    plan_id = _plan(backup)
    before = backup.get_backup_plan(BackupPlanId=plan_id)
    rules = [
        {
            "RuleName": "hourly",
            "TargetBackupVaultName": "vault",
            "ScheduleExpression": "cron(0 * ? * * *)",
            "Lifecycle": {"DeleteAfterDays": 7},
            "CopyActions": [
                {"DestinationBackupVaultArn": "arn:aws:backup:eu-central-1:123456789012:backup-vault:copy"}
            ],
        }
    ]

    updated = backup.update_backup_plan(BackupPlanId=plan_id, BackupPlan={"BackupPlanName": "hourly", "Rules": rules})
    after = backup.get_backup_plan(BackupPlanId=plan_id)

    assert updated["BackupPlanId"] == plan_id
    assert updated["BackupPlanArn"] == before["BackupPlanArn"]
    assert updated["VersionId"] != before["VersionId"]
    assert after["VersionId"] == updated["VersionId"]
    assert after["BackupPlan"]["BackupPlanName"] == "hourly"
    [rule] = after["BackupPlan"]["Rules"]
    assert rule["ScheduleExpression"] == "cron(0 * ? * * *)"
    assert rule["Lifecycle"] == {"DeleteAfterDays": 7}
    assert rule["CopyActions"] == rules[0]["CopyActions"]
    assert rule["RuleId"]


def test_update_of_a_missing_plan(backup) -> None:
    with pytest.raises(ClientError) as exc:
        backup.update_backup_plan(BackupPlanId="no-such-plan", BackupPlan={"BackupPlanName": "x", "Rules": []})
    assert _error(exc)[0] == "ResourceNotFoundException"


def test_vault_notifications_lifecycle(backup) -> None:
    vault_arn = backup.create_backup_vault(BackupVaultName="vault")["BackupVaultArn"]
    with pytest.raises(ClientError) as exc:
        backup.get_backup_vault_notifications(BackupVaultName="vault")
    assert _error(exc) == (
        "ResourceNotFoundException",
        "Failed reading notifications from database for Backup vault vault",
    )

    backup.put_backup_vault_notifications(
        BackupVaultName="vault", SNSTopicArn=TOPIC, BackupVaultEvents=["BACKUP_JOB_FAILED", "COPY_JOB_FAILED"]
    )
    got = backup.get_backup_vault_notifications(BackupVaultName="vault")

    assert (got["BackupVaultName"], got["BackupVaultArn"], got["SNSTopicArn"]) == ("vault", vault_arn, TOPIC)
    assert got["BackupVaultEvents"] == ["BACKUP_JOB_FAILED", "COPY_JOB_FAILED"]

    backup.delete_backup_vault_notifications(BackupVaultName="vault")
    with pytest.raises(ClientError) as exc:
        backup.get_backup_vault_notifications(BackupVaultName="vault")
    assert _error(exc)[0] == "ResourceNotFoundException"


def test_vault_notifications_errors(backup) -> None:
    with pytest.raises(ClientError) as exc:
        backup.put_backup_vault_notifications(
            BackupVaultName="missing", SNSTopicArn=TOPIC, BackupVaultEvents=["BACKUP_JOB_FAILED"]
        )
    assert _error(exc)[0] == "ResourceNotFoundException"

    backup.create_backup_vault(BackupVaultName="vault")
    with pytest.raises(ClientError) as exc:
        backup.put_backup_vault_notifications(
            BackupVaultName="vault", SNSTopicArn=TOPIC, BackupVaultEvents=["NOT_AN_EVENT"]
        )
    code, message = _error(exc)
    assert code == "InvalidParameterValueException"
    assert message.startswith("Please select from the following list of notifications ")


def test_deleting_a_vault_forgets_its_notifications(backup) -> None:
    backup.create_backup_vault(BackupVaultName="vault")
    backup.put_backup_vault_notifications(
        BackupVaultName="vault", SNSTopicArn=TOPIC, BackupVaultEvents=["BACKUP_JOB_FAILED"]
    )

    backup.delete_backup_vault(BackupVaultName="vault")
    backup.create_backup_vault(BackupVaultName="vault")

    with pytest.raises(ClientError) as exc:
        backup.get_backup_vault_notifications(BackupVaultName="vault")
    assert _error(exc)[0] == "ResourceNotFoundException"


def test_install_twice_does_not_stack_wrappers(backup) -> None:
    from moto.backup.models import BackupBackend

    wrapped = (BackupBackend.delete_backup_plan, BackupBackend.create_backup_plan, BackupBackend.delete_backup_vault)
    backup_gap.install()
    assert (BackupBackend.delete_backup_plan, BackupBackend.create_backup_plan, BackupBackend.delete_backup_vault) == wrapped

    # And the guards still behave once: a plan with a selection is refused, without one it goes.
    plan_id = _plan(backup)
    selection_id = backup.create_backup_selection(BackupPlanId=plan_id, BackupSelection=_selection())["SelectionId"]
    with pytest.raises(ClientError) as refused:
        backup.delete_backup_plan(BackupPlanId=plan_id)
    assert _error(refused)[0] == "InvalidRequestException"
    backup.delete_backup_selection(BackupPlanId=plan_id, SelectionId=selection_id)
    backup.delete_backup_plan(BackupPlanId=plan_id)
    assert backup.list_backup_plans()["BackupPlansList"] == []


def test_gaps_are_served_over_http_by_the_moto_server(service_role, moto_endpoint: str) -> None:
    backup = boto3.client("backup", region_name=REGION, endpoint_url=moto_endpoint)
    iam = boto3.client("iam", region_name=REGION, endpoint_url=moto_endpoint)
    service_role(iam, "backup-service", "backup.amazonaws.com")
    backup.create_backup_vault(BackupVaultName="vault")
    plan_id = _plan(backup)

    selection_id = backup.create_backup_selection(BackupPlanId=plan_id, BackupSelection=_selection())["SelectionId"]
    assert (
        backup.get_backup_selection(BackupPlanId=plan_id, SelectionId=selection_id)["BackupSelection"][
            "SelectionName"
        ]
        == "web"
    )
    assert len(backup.list_backup_selections(BackupPlanId=plan_id)["BackupSelectionsList"]) == 1
    backup.update_backup_plan(
        BackupPlanId=plan_id,
        BackupPlan={"BackupPlanName": "renamed", "Rules": [{"RuleName": "r", "TargetBackupVaultName": "vault"}]},
    )
    assert backup.get_backup_plan(BackupPlanId=plan_id)["BackupPlan"]["BackupPlanName"] == "renamed"
    backup.put_backup_vault_notifications(
        BackupVaultName="vault", SNSTopicArn=TOPIC, BackupVaultEvents=["BACKUP_JOB_FAILED"]
    )
    assert backup.get_backup_vault_notifications(BackupVaultName="vault")["SNSTopicArn"] == TOPIC
    backup.delete_backup_vault_notifications(BackupVaultName="vault")
    backup.delete_backup_selection(BackupPlanId=plan_id, SelectionId=selection_id)
    with pytest.raises(ClientError) as exc:
        backup.get_backup_selection(BackupPlanId=plan_id, SelectionId=selection_id)
    assert _error(exc)[0] == "ResourceNotFoundException"


def test_a_deleted_plans_name_can_be_used_again(backup) -> None:
    first = _plan(backup, "nightly")
    backup.delete_backup_plan(BackupPlanId=first)

    second = _plan(backup, "nightly")

    assert second != first
    assert backup.get_backup_plan(BackupPlanId=second)["BackupPlan"]["BackupPlanName"] == "nightly"
    listed = backup.list_backup_plans(IncludeDeleted=True)["BackupPlansList"]
    assert sorted(p["BackupPlanId"] for p in listed) == sorted([first, second])
    with pytest.raises(ClientError) as taken:
        _plan(backup, "nightly")
    assert taken.value.response["Error"]["Code"] == "AlreadyExistsException"


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        pytest.param(None, "does not exist", id="missing-role"),
        pytest.param(("backup-service", "ec2.amazonaws.com", 3600), "trusts someone else", id="untrusted"),
        pytest.param(("backup-service", "backup.amazonaws.com", 1), "not propagated", id="just-created"),
    ],
)
def test_selection_role_must_be_assumable_by_backup(service_role, propagation, setup, expected: str) -> None:
    propagation(10)
    with mock_aws():
        iam, backup = boto3.client("iam", region_name=REGION), boto3.client("backup", region_name=REGION)
        if setup:
            service_role(iam, *setup[:2], age=setup[2])
        plan_id = _plan(backup)

        with pytest.raises(ClientError) as refused:
            backup.create_backup_selection(BackupPlanId=plan_id, BackupSelection=_selection())

        assert _error(refused) == ("InvalidParameterValueException", f"IAM Role {ROLE} cannot be assumed by AWS Backup")
        assert backup.list_backup_selections(BackupPlanId=plan_id)["BackupSelectionsList"] == []


def test_selection_role_works_once_propagated(service_role, propagation) -> None:
    propagation(10)
    with mock_aws():
        iam, backup = boto3.client("iam", region_name=REGION), boto3.client("backup", region_name=REGION)
        service_role(iam, "backup-service", "backup.amazonaws.com", age=11)
        plan_id = _plan(backup)
        backup.create_backup_selection(BackupPlanId=plan_id, BackupSelection=_selection())
        assert len(backup.list_backup_selections(BackupPlanId=plan_id)["BackupSelectionsList"]) == 1


@pytest.mark.parametrize(
    ("user_policy", "allowed"),
    [
        pytest.param(None, False, id="no-policy"),
        pytest.param({"Effect": "Allow", "Action": "iam:PassRole", "Resource": ROLE}, True, id="pass-this-role"),
        pytest.param({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/other"},
                     False, id="pass-another-role"),
    ],
)
def test_the_caller_must_be_allowed_to_pass_the_role(service_role, user_policy, allowed: bool) -> None:
    with mock_aws():
        iam = boto3.client("iam", region_name=REGION)
        service_role(iam, "backup-service", "backup.amazonaws.com")
        iam.create_user(UserName="operator")
        backup_admin = {"Effect": "Allow", "Action": "backup:*", "Resource": "*"}
        statements = [backup_admin] + ([user_policy] if user_policy else [])
        iam.put_user_policy(UserName="operator", PolicyName="p", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": statements}))
        key = iam.create_access_key(UserName="operator")["AccessKey"]
        as_operator = boto3.client("backup", region_name=REGION, aws_access_key_id=key["AccessKeyId"],
                                   aws_secret_access_key=key["SecretAccessKey"])
        plan_id = _plan(boto3.client("backup", region_name=REGION))

        if allowed:
            as_operator.create_backup_selection(BackupPlanId=plan_id, BackupSelection=_selection())
            return
        with pytest.raises(ClientError) as denied:
            as_operator.create_backup_selection(BackupPlanId=plan_id, BackupSelection=_selection())
        assert _error(denied) == ("AccessDeniedException", f"User is not authorized to perform: iam:PassRole on resource: {ROLE}")
