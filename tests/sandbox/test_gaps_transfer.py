"""The transfer gap fill: updates, tags and AWS's not-found errors, through boto3 on moto."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from provision.stacks.sandbox.gaps import transfer as transfer_gap

REGION = "eu-west-1"
ROLE = "arn:aws:iam::123456789012:role/sftp"


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for var, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(var, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    transfer_gap.install()


@pytest.fixture
def transfer(service_role):
    with mock_aws():
        # The sandbox checks logging roles (gaps.service_roles); this one exists and has propagated.
        service_role(boto3.client("iam", region_name=REGION), ROLE.rsplit("/", 1)[1], "transfer.amazonaws.com")
        yield boto3.client("transfer", region_name=REGION)


def _server(transfer) -> str:
    return transfer.create_server(Protocols=["SFTP"], IdentityProviderType="SERVICE_MANAGED", EndpointType="PUBLIC")["ServerId"]


def _error(exc: pytest.ExceptionInfo[ClientError]) -> dict:
    return {k: v for k, v in exc.value.response["Error"].items() if k in ("Code", "Message")} | {
        k: v for k, v in exc.value.response.items() if k in ("Resource", "ResourceType")
    }


def test_update_server_changes_settings_and_clears_the_logging_role(transfer) -> None:
    server_id = _server(transfer)

    answer = transfer.update_server(ServerId=server_id, SecurityPolicyName="TransferSecurityPolicy-2024-01", LoggingRole=ROLE)
    assert answer["ServerId"] == server_id
    server = transfer.describe_server(ServerId=server_id)["Server"]
    assert (server["SecurityPolicyName"], server["LoggingRole"]) == ("TransferSecurityPolicy-2024-01", ROLE)

    transfer.update_server(ServerId=server_id, LoggingRole="")
    assert "LoggingRole" not in transfer.describe_server(ServerId=server_id)["Server"]


def test_update_user_changes_role_and_home_mappings(transfer) -> None:
    server_id = _server(transfer)
    transfer.create_user(ServerId=server_id, UserName="acme", Role=ROLE, HomeDirectoryType="LOGICAL",
                         HomeDirectoryMappings=[{"Entry": "/", "Target": "/bucket/partners/acme"}])

    transfer.update_user(ServerId=server_id, UserName="acme", Role=ROLE + "-2",
                         HomeDirectoryMappings=[{"Entry": "/", "Target": "/bucket/partners/other"}])

    user = transfer.describe_user(ServerId=server_id, UserName="acme")["User"]
    assert user["Role"] == ROLE + "-2"
    assert user["HomeDirectoryMappings"] == [{"Entry": "/", "Target": "/bucket/partners/other"}]


def test_tags_on_servers_and_users(transfer) -> None:
    server_id = _server(transfer)
    transfer.create_user(ServerId=server_id, UserName="acme", Role=ROLE, Tags=[{"Key": "a", "Value": "1"}])
    server_arn = transfer.describe_server(ServerId=server_id)["Server"]["Arn"]
    user_arn = transfer.describe_user(ServerId=server_id, UserName="acme")["User"]["Arn"]

    transfer.tag_resource(Arn=server_arn, Tags=[{"Key": "team", "Value": "ops"}, {"Key": "x", "Value": "y"}])
    transfer.untag_resource(Arn=server_arn, TagKeys=["x"])
    transfer.tag_resource(Arn=user_arn, Tags=[{"Key": "b", "Value": "2"}])

    assert transfer.list_tags_for_resource(Arn=server_arn)["Tags"] == [{"Key": "team", "Value": "ops"}]
    assert transfer.list_tags_for_resource(Arn=user_arn)["Tags"] == [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]


@pytest.mark.parametrize("call", ["describe_server", "delete_server", "update_server", "list_users"])
def test_a_missing_server_is_resource_not_found(transfer, call: str) -> None:
    with pytest.raises(ClientError) as exc:
        getattr(transfer, call)(ServerId="s-00000000000000000")

    assert _error(exc) == {"Code": "ResourceNotFoundException", "Message": "Unknown server: s-00000000000000000",
                           "Resource": "s-00000000000000000", "ResourceType": "Server"}


def test_a_missing_user_is_resource_not_found_and_a_duplicate_is_resource_exists(transfer) -> None:
    server_id = _server(transfer)
    with pytest.raises(ClientError) as exc:
        transfer.describe_user(ServerId=server_id, UserName="ghost")
    assert _error(exc) == {"Code": "ResourceNotFoundException", "Message": "Unknown user: ghost",
                           "Resource": "ghost", "ResourceType": "User"}

    transfer.create_user(ServerId=server_id, UserName="acme", Role=ROLE)
    with pytest.raises(ClientError) as exc:
        transfer.create_user(ServerId=server_id, UserName="acme", Role=ROLE)
    assert _error(exc)["Code"] == "ResourceExistsException"


def test_list_users_pages_through_the_servers_users(transfer) -> None:
    server_id = _server(transfer)
    for name in ("carol", "alice", "bob"):
        transfer.create_user(ServerId=server_id, UserName=name, Role=ROLE, HomeDirectory=f"/bucket/{name}")

    first = transfer.list_users(ServerId=server_id, MaxResults=2)
    second = transfer.list_users(ServerId=server_id, MaxResults=2, NextToken=first["NextToken"])
    every = transfer.get_paginator("list_users").paginate(ServerId=server_id)

    assert [u["UserName"] for u in first["Users"]] == ["alice", "bob"]
    assert [u["UserName"] for u in second["Users"]] == ["carol"] and "NextToken" not in second
    assert [u["UserName"] for page in every for u in page["Users"]] == ["alice", "bob", "carol"]
    assert first["Users"][0] == {
        "Arn": f"arn:aws:transfer:{REGION}:123456789012:user/{server_id}/alice", "HomeDirectory": "/bucket/alice",
        "Role": ROLE, "SshPublicKeyCount": 0, "UserName": "alice",
    }  # fmt: skip
    with pytest.raises(ClientError) as exc:
        transfer.list_users(ServerId=server_id, NextToken="not-a-token")
    assert _error(exc)["Code"] == "InvalidNextTokenException"


def test_create_user_on_a_missing_server_is_resource_not_found(transfer) -> None:
    with pytest.raises(ClientError) as exc:
        transfer.create_user(ServerId="s-00000000000000000", UserName="acme", Role=ROLE)
    assert _error(exc)["Code"] == "ResourceNotFoundException"


def test_installing_twice_changes_nothing(transfer) -> None:
    transfer_gap.install()
    with pytest.raises(ClientError) as exc:
        transfer.describe_server(ServerId="s-00000000000000000")
    assert _error(exc)["ResourceType"] == "Server"


def test_through_a_threaded_moto_server(moto_endpoint: str) -> None:
    transfer = boto3.client("transfer", region_name=REGION, endpoint_url=moto_endpoint)
    server_id = _server(transfer)
    transfer.update_server(ServerId=server_id, SecurityPolicyName="TransferSecurityPolicy-2024-01")
    assert transfer.describe_server(ServerId=server_id)["Server"]["SecurityPolicyName"] == "TransferSecurityPolicy-2024-01"
    transfer.delete_server(ServerId=server_id)
    with pytest.raises(ClientError) as exc:
        transfer.describe_server(ServerId=server_id)
    assert _error(exc)["Code"] == "ResourceNotFoundException"


def _state(transfer, server_id: str) -> str:
    return transfer.describe_server(ServerId=server_id)["Server"]["State"]


def test_stop_and_start_pass_through_stopping_and_starting(transfer) -> None:
    server_id = _server(transfer)

    transfer.stop_server(ServerId=server_id)
    stopping = [_state(transfer, server_id) for _ in range(2)]
    transfer.start_server(ServerId=server_id)
    starting = [_state(transfer, server_id) for _ in range(2)]

    assert (stopping, starting) == (["STOPPING", "OFFLINE"], ["STARTING", "ONLINE"])


def test_update_server_waits_for_a_transition_to_end(transfer) -> None:
    server_id = _server(transfer)
    transfer.stop_server(ServerId=server_id)

    with pytest.raises(ClientError) as conflict:
        transfer.update_server(ServerId=server_id, SecurityPolicyName="TransferSecurityPolicy-2024-01")

    assert _error(conflict)["Code"] == "ConflictException"


def test_the_endpoint_changes_only_while_the_server_is_offline(transfer) -> None:
    server_id = _server(transfer)
    details = {"VpcId": "vpc-1", "SubnetIds": ["subnet-1"]}

    with pytest.raises(ClientError) as online:
        transfer.update_server(ServerId=server_id, EndpointType="VPC", EndpointDetails=details)
    transfer.stop_server(ServerId=server_id)
    assert [_state(transfer, server_id) for _ in range(2)][-1] == "OFFLINE"
    with pytest.raises(ClientError) as no_details:
        transfer.update_server(ServerId=server_id, EndpointType="VPC")
    transfer.update_server(ServerId=server_id, EndpointType="VPC", EndpointDetails=details)

    assert _error(online)["Code"] == _error(no_details)["Code"] == "InvalidRequestException"
    server = transfer.describe_server(ServerId=server_id)["Server"]
    assert (server["EndpointType"], server["EndpointDetails"]["VpcId"]) == ("VPC", "vpc-1")
