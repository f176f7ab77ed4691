"""FlowLogProvider against moto: VPC flow logs to CloudWatch Logs, tags, errors."""

from __future__ import annotations

import boto3
import pytest

from provision.stacks.providers.base import ProviderError
from provision.stacks.providers.flow_log import FlowLogProvider

REGION = "eu-west-1"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/flow-logs"


@pytest.fixture
def vpc_id(aws, service_role) -> str:
    assert service_role("flow-logs", "vpc-flow-logs.amazonaws.com") == ROLE
    boto3.client("logs", region_name=REGION).create_log_group(logGroupName="/vpc/flow")
    return boto3.client("ec2", region_name=REGION).create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]


def _props(vpc_id: str, **overrides):
    props = {
        "vpc_id": vpc_id,
        "log_group_name": "/vpc/flow",
        "deliver_logs_permission_arn": ROLE,
        "traffic_type": "ALL",
        "max_aggregation_interval": 600,
        "tags": {"Name": "flow"},
    }
    return {**props, **overrides}


def test_create_then_read(vpc_id: str) -> None:
    provider = FlowLogProvider()

    created = provider.create(_props(vpc_id))

    flow = boto3.client("ec2", region_name=REGION).describe_flow_logs(FlowLogIds=[created.id])["FlowLogs"][0]
    assert (flow["ResourceId"], flow["TrafficType"], flow["LogDestinationType"]) == (vpc_id, "ALL", "cloud-watch-logs")
    assert (flow["LogGroupName"], flow["DeliverLogsPermissionArn"]) == ("/vpc/flow", ROLE)
    assert created.outs["arn"] == f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc-flow-log/{created.id}"
    outs = provider.read(created.id, created.outs).outs
    assert outs == created.outs


def test_diff_everything_but_tags_replaces() -> None:
    provider = FlowLogProvider()
    old = {**_props("vpc-1"), "flow_log_id": "fl-1", "arn": "x"}

    for key, value in [
        ("vpc_id", "vpc-2"),
        ("traffic_type", "REJECT"),
        ("log_group_name", "/other"),
        ("deliver_logs_permission_arn", "arn:other"),
        ("max_aggregation_interval", 60),
    ]:
        assert provider.diff("fl-1", old, {**_props("vpc-1"), key: value}).replaces == [key]
    tags_only = provider.diff("fl-1", old, _props("vpc-1", tags={}))
    assert tags_only.changes and tags_only.replaces == []


def test_update_retags(vpc_id: str) -> None:
    provider = FlowLogProvider()
    created = provider.create(_props(vpc_id))

    provider.update(created.id, created.outs, _props(vpc_id, tags={"team": "net"}))

    assert provider.read(created.id, created.outs).outs["tags"] == {"team": "net"}


def test_delete_then_read_is_none_and_delete_again_is_fine(vpc_id: str) -> None:
    provider = FlowLogProvider()
    created = provider.create(_props(vpc_id))

    provider.delete(created.id, created.outs)

    assert provider.read(created.id, created.outs) is None
    provider.delete(created.id, created.outs)


def test_unknown_vpc_names_the_aws_error(vpc_id: str) -> None:
    with pytest.raises(ProviderError, match=r"^Flow log for vpc-00000000: CreateFlowLogs: InvalidVpcID.NotFound: "):
        FlowLogProvider().create(_props("vpc-00000000"))


def test_create_waits_while_ec2_cannot_assume_a_new_delivery_role(vpc_id: str, refuse_first) -> None:
    waits = refuse_first("ec2", "CreateFlowLogs", "InvalidParameter", "Unable to assume given IAM role.", times=2, region=None)

    created = FlowLogProvider().create(_props(vpc_id))

    assert boto3.client("ec2", region_name=REGION).describe_flow_logs(FlowLogIds=[created.id])["FlowLogs"]
    assert waits == [1.0, 2.0]
