"""The logs gap fill: AssociateKmsKey/DisassociateKmsKey through boto3 on moto."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from provision.stacks.sandbox.gaps import logs as logs_gap

REGION = "eu-west-1"
GROUP = "/provision/flow-logs"


@pytest.fixture(autouse=True)
def _credentials(gap_env) -> None:
    logs_gap.install()


@pytest.fixture
def aws():
    with mock_aws():
        yield boto3.client("logs", region_name=REGION), boto3.client("kms", region_name=REGION)


ACCOUNT = "123456789012"
LOGS_MAY_USE = {
    "Sid": "Logs",
    "Effect": "Allow",
    "Principal": {"Service": f"logs.{REGION}.amazonaws.com"},
    "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
    "Resource": "*",
    "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:*"}},
}


def logs_key_policy(*statements: dict) -> str:
    admin = {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
             "Action": "kms:*", "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [admin, *(statements or [LOGS_MAY_USE])]})


def _kms_key_id(group: str, logs) -> str | None:
    groups = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    return groups[0].get("kmsKeyId")


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def test_associate_by_name_shows_in_describe_and_disassociate_clears(aws) -> None:
    logs, kms = aws
    key_arn = kms.create_key(Policy=logs_key_policy())["KeyMetadata"]["Arn"]
    logs.create_log_group(logGroupName=GROUP)

    logs.associate_kms_key(logGroupName=GROUP, kmsKeyId=key_arn)
    assert _kms_key_id(GROUP, logs) == key_arn

    logs.disassociate_kms_key(logGroupName=GROUP)
    assert _kms_key_id(GROUP, logs) is None


def test_associate_overrides_a_previous_key(aws) -> None:
    logs, kms = aws
    first, second = (kms.create_key(Policy=logs_key_policy())["KeyMetadata"]["Arn"] for _ in range(2))
    logs.create_log_group(logGroupName=GROUP, kmsKeyId=first)

    logs.associate_kms_key(logGroupName=GROUP, kmsKeyId=second)

    assert _kms_key_id(GROUP, logs) == second


def test_associate_by_log_group_arn_resource_identifier(aws) -> None:
    logs, kms = aws
    key_arn = kms.create_key(Policy=logs_key_policy())["KeyMetadata"]["Arn"]
    logs.create_log_group(logGroupName=GROUP)
    group_arn = logs.describe_log_groups(logGroupNamePrefix=GROUP)["logGroups"][0]["logGroupArn"]

    logs.associate_kms_key(resourceIdentifier=group_arn, kmsKeyId=key_arn)
    assert _kms_key_id(GROUP, logs) == key_arn
    logs.disassociate_kms_key(resourceIdentifier=group_arn)
    assert _kms_key_id(GROUP, logs) is None


def test_query_results_target_leaves_log_groups_alone(aws) -> None:
    logs, kms = aws
    key_arn = kms.create_key(Policy=logs_key_policy())["KeyMetadata"]["Arn"]
    logs.create_log_group(logGroupName=GROUP)

    logs.associate_kms_key(resourceIdentifier=f"arn:aws:logs:{REGION}:123456789012:query-result:*", kmsKeyId=key_arn)

    assert _kms_key_id(GROUP, logs) is None


def test_missing_log_group_is_resource_not_found(aws) -> None:
    logs, kms = aws
    key_arn = kms.create_key(Policy=logs_key_policy())["KeyMetadata"]["Arn"]

    with pytest.raises(ClientError) as exc:
        logs.associate_kms_key(logGroupName="/nope", kmsKeyId=key_arn)
    assert _error(exc) == ("ResourceNotFoundException", "The specified log group does not exist.")

    with pytest.raises(ClientError) as exc:
        logs.disassociate_kms_key(logGroupName="/nope")
    assert _error(exc)[0] == "ResourceNotFoundException"


def test_name_and_resource_identifier_together_are_rejected(aws) -> None:
    logs, kms = aws
    key_arn = kms.create_key(Policy=logs_key_policy())["KeyMetadata"]["Arn"]
    logs.create_log_group(logGroupName=GROUP)

    with pytest.raises(ClientError) as exc:
        logs.associate_kms_key(
            logGroupName=GROUP,
            resourceIdentifier=f"arn:aws:logs:{REGION}:123456789012:log-group:{GROUP}",
            kmsKeyId=key_arn,
        )
    assert _error(exc) == (
        "InvalidParameterException",
        "Specify either logGroupName or resourceIdentifier, but not both.",
    )


@pytest.mark.parametrize("make_key", ["unknown-arn", "key-id", "asymmetric", "disabled"])
def test_a_key_aws_would_refuse_is_invalid_parameter(aws, make_key: str) -> None:
    logs, kms = aws
    logs.create_log_group(logGroupName=GROUP)
    if make_key == "unknown-arn":
        key = f"arn:aws:kms:{REGION}:123456789012:key/00000000-0000-0000-0000-000000000000"
    elif make_key == "key-id":
        key = kms.create_key()["KeyMetadata"]["KeyId"]
    elif make_key == "asymmetric":
        key = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["Arn"]
    else:
        metadata = kms.create_key()["KeyMetadata"]
        kms.disable_key(KeyId=metadata["KeyId"])
        key = metadata["Arn"]

    with pytest.raises(ClientError) as exc:
        logs.associate_kms_key(logGroupName=GROUP, kmsKeyId=key)

    group_arn = f"arn:aws:logs:{REGION}:123456789012:log-group:{GROUP}"
    assert _error(exc) == (
        "InvalidParameterException",
        f"Specified KMS key {key} does not exist or is not allowed to be used with Arn '{group_arn}'",
    )
    assert _kms_key_id(GROUP, logs) is None


def test_through_a_threaded_moto_server(moto_endpoint: str) -> None:
    logs = boto3.client("logs", region_name=REGION, endpoint_url=moto_endpoint)
    kms = boto3.client("kms", region_name=REGION, endpoint_url=moto_endpoint)
    key_arn = kms.create_key(Policy=logs_key_policy())["KeyMetadata"]["Arn"]
    logs.create_log_group(logGroupName=GROUP)

    logs.associate_kms_key(logGroupName=GROUP, kmsKeyId=key_arn)
    assert _kms_key_id(GROUP, logs) == key_arn

    with pytest.raises(ClientError) as exc:
        logs.associate_kms_key(logGroupName="/missing", kmsKeyId=key_arn)
    assert _error(exc)[0] == "ResourceNotFoundException"


@pytest.mark.parametrize(
    "statements",
    [
        pytest.param([{"Sid": "None", "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                       "Action": "kms:*", "Resource": "*"}], id="no-grant-for-logs"),
        pytest.param([{**LOGS_MAY_USE, "Principal": {"Service": "logs.us-east-1.amazonaws.com"}}], id="other-region"),
        pytest.param([{**LOGS_MAY_USE, "Condition": {"ArnEquals": {
            "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/other"}}}],
            id="other-log-group"),
    ],
)
def test_key_policy_must_let_logs_use_the_key(aws, statements: list[dict]) -> None:
    logs, kms = aws
    key_arn = kms.create_key(Policy=logs_key_policy(*statements))["KeyMetadata"]["Arn"]
    logs.create_log_group(logGroupName=GROUP)

    with pytest.raises(ClientError) as associate:
        logs.associate_kms_key(logGroupName=GROUP, kmsKeyId=key_arn)
    with pytest.raises(ClientError) as create:
        logs.create_log_group(logGroupName="/encrypted/at/birth", kmsKeyId=key_arn)

    assert _error(associate)[0] == _error(create)[0] == "AccessDeniedException"
    assert _kms_key_id(GROUP, logs) is None
    assert logs.describe_log_groups(logGroupNamePrefix="/encrypted")["logGroups"] == []


def test_create_log_group_with_an_allowed_key(aws) -> None:
    logs, kms = aws
    key_arn = kms.create_key(Policy=logs_key_policy())["KeyMetadata"]["Arn"]
    logs.create_log_group(logGroupName=GROUP, kmsKeyId=key_arn)
    assert _kms_key_id(GROUP, logs) == key_arn
