"""Services assume only roles that exist, trust them and have propagated: AWS's errors for each call."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from provision.stacks.sandbox import gaps

REGION = "eu-west-1"
ACCOUNT = "123456789012"


@pytest.fixture
def aws(gap_env, propagation):
    gaps.install()
    propagation(10)
    with mock_aws():
        yield lambda service: boto3.client(service, region_name=REGION)  # noqa: E731


# (service principal, role age) -> refused?; a role trusted by the wrong service is refused at any age.
CASES = [
    pytest.param("right", 3600, False, id="propagated"),
    pytest.param("right", 2, True, id="just-created"),
    pytest.param("wrong", 3600, True, id="wrong-service"),
]


def _role(aws, service_role, trusted: str, age: float) -> str:
    return service_role(aws("iam"), "svc", trusted, age=age)


@pytest.mark.parametrize(("which", "age", "refused"), CASES)
def test_config_delivery_channel_needs_the_recorder_role(aws, service_role, which, age, refused) -> None:
    role = _role(aws, service_role, "config.amazonaws.com" if which == "right" else "ec2.amazonaws.com", age)
    config = aws("config")
    config.put_configuration_recorder(ConfigurationRecorder={"name": "default", "roleARN": role})

    put = lambda: config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "logs"})  # noqa: E731
    if not refused:
        put()
        assert [c["name"] for c in config.describe_delivery_channels()["DeliveryChannels"]] == ["default"]
        return
    with pytest.raises(ClientError) as error:
        put()
    assert error.value.response["Error"]["Code"] == "InsufficientDeliveryPolicyException"
    assert error.value.response["Error"]["Message"] == (
        f"Insufficient delivery policy to s3 bucket: logs, unable to assume role: {role}."
    )
    assert config.describe_delivery_channels()["DeliveryChannels"] == []


@pytest.mark.parametrize(("which", "age", "refused"), CASES)
def test_flow_logs_need_an_assumable_role(aws, service_role, which, age, refused) -> None:
    role = _role(aws, service_role, "vpc-flow-logs.amazonaws.com" if which == "right" else "ec2.amazonaws.com", age)
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    aws("logs").create_log_group(logGroupName="flows")

    create = lambda: ec2.create_flow_logs(  # noqa: E731
        ResourceType="VPC", ResourceIds=[vpc], TrafficType="ALL", LogGroupName="flows", DeliverLogsPermissionArn=role
    )
    if not refused:
        assert create()["Unsuccessful"] == []
        return
    with pytest.raises(ClientError) as error:
        create()
    assert error.value.response["Error"]["Code"] == "InvalidParameter"
    assert error.value.response["Error"]["Message"] == f"Unable to assume given IAM role: '{role}'"
    assert ec2.describe_flow_logs()["FlowLogs"] == []


@pytest.mark.parametrize(("which", "age", "refused"), CASES)
def test_transfer_logging_role_must_be_assumable(aws, service_role, which, age, refused) -> None:
    role = _role(aws, service_role, "transfer.amazonaws.com" if which == "right" else "ec2.amazonaws.com", age)
    transfer = aws("transfer")

    create = lambda: transfer.create_server(Protocols=["SFTP"], LoggingRole=role)  # noqa: E731
    if not refused:
        assert transfer.describe_server(ServerId=create()["ServerId"])["Server"]["LoggingRole"] == role
        return
    with pytest.raises(ClientError) as error:
        create()
    assert error.value.response["Error"]["Code"] == "InvalidRequestException"
    assert transfer.list_servers()["Servers"] == []


def test_transfer_update_server_checks_a_new_logging_role(aws, service_role) -> None:
    transfer = aws("transfer")
    server = transfer.create_server(Protocols=["SFTP"])["ServerId"]
    young = service_role(aws("iam"), "young", "transfer.amazonaws.com", age=1)

    with pytest.raises(ClientError) as error:
        transfer.update_server(ServerId=server, LoggingRole=young)

    assert error.value.response["Error"]["Code"] == "InvalidRequestException"
    assert "LoggingRole" not in transfer.describe_server(ServerId=server)["Server"]
    transfer.update_server(ServerId=server, LoggingRole="")  # clearing needs no role


def test_propagation_zero_turns_the_delay_off(aws, service_role, propagation) -> None:
    propagation(0)
    role = service_role(aws("iam"), "fresh", "transfer.amazonaws.com", age=0)
    assert aws("transfer").create_server(Protocols=["SFTP"], LoggingRole=role)["ServerId"]
