"""InternetGatewayProvider against moto: attach, move, detach, tags, errors."""

from __future__ import annotations

import boto3
import pytest

from provision.stacks.providers.base import ProviderError
from provision.stacks.providers.internet_gateway import InternetGatewayProvider

REGION = "eu-west-1"
ACCOUNT = "123456789012"


@pytest.fixture
def ec2(aws):
    return boto3.client("ec2", region_name=REGION)


def _vpc(ec2) -> str:
    return ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]


def _attached(ec2, igw_id: str) -> list[str]:
    igw = ec2.describe_internet_gateways(InternetGatewayIds=[igw_id])["InternetGateways"][0]
    return [a["VpcId"] for a in igw["Attachments"]]


def test_create_attaches_and_tags(ec2) -> None:
    vpc_id = _vpc(ec2)

    created = InternetGatewayProvider().create({"vpc_id": vpc_id, "tags": {"Name": "igw"}})

    assert _attached(ec2, created.id) == [vpc_id]
    assert created.outs["arn"] == f"arn:aws:ec2:{REGION}:{ACCOUNT}:internet-gateway/{created.id}"
    outs = InternetGatewayProvider().read(created.id, created.outs).outs
    assert (outs["vpc_id"], outs["tags"], outs["internet_gateway_id"]) == (vpc_id, {"Name": "igw"}, created.id)


def test_diff_has_no_replacement_keys() -> None:
    provider = InternetGatewayProvider()
    old = {"vpc_id": "vpc-1", "tags": {}, "internet_gateway_id": "igw-1", "arn": "arn:x"}

    moved = provider.diff("igw-1", old, {"vpc_id": "vpc-2", "tags": {}})

    assert moved.changes and moved.replaces == []


def test_update_moves_to_another_vpc_and_retags(ec2) -> None:
    provider = InternetGatewayProvider()
    first, second = _vpc(ec2), _vpc(ec2)
    created = provider.create({"vpc_id": first, "tags": {"Name": "igw"}})

    provider.update(created.id, created.outs, {"vpc_id": second, "tags": {"team": "net"}})

    assert _attached(ec2, created.id) == [second]
    assert provider.read(created.id, created.outs).outs["tags"] == {"team": "net"}


def test_delete_detaches_then_deletes_and_is_idempotent(ec2) -> None:
    provider = InternetGatewayProvider()
    vpc_id = _vpc(ec2)
    created = provider.create({"vpc_id": vpc_id, "tags": {}})

    provider.delete(created.id, created.outs)

    assert provider.read(created.id, created.outs) is None
    provider.delete(created.id, created.outs)
    ec2.delete_vpc(VpcId=vpc_id)  # nothing left attached


def test_delete_when_detached_by_hand(ec2) -> None:
    provider = InternetGatewayProvider()
    vpc_id = _vpc(ec2)
    created = provider.create({"vpc_id": vpc_id, "tags": {}})
    ec2.detach_internet_gateway(InternetGatewayId=created.id, VpcId=vpc_id)

    provider.delete(created.id, created.outs)

    assert provider.read(created.id, created.outs) is None


def test_unknown_vpc_names_the_aws_error(ec2) -> None:
    with pytest.raises(ProviderError, match=r"AttachInternetGateway to vpc-00000000: InvalidVpcID.NotFound: "):
        InternetGatewayProvider().create({"vpc_id": "vpc-00000000", "tags": {}})


def test_failed_attach_leaves_no_gateway_behind(ec2) -> None:
    with pytest.raises(ProviderError):
        InternetGatewayProvider().create({"vpc_id": "vpc-00000000", "tags": {}})

    assert ec2.describe_internet_gateways()["InternetGateways"] == []
