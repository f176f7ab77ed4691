"""NatGatewayProvider against moto: the gateway and its Elastic IP live and die together."""

from __future__ import annotations

import boto3
import pytest

from provision.stacks.providers.base import ProviderError
from provision.stacks.providers.nat_gateway import NatGatewayProvider

REGION = "eu-west-1"
ACCOUNT = "123456789012"


@pytest.fixture
def ec2(aws):
    return boto3.client("ec2", region_name=REGION)


@pytest.fixture
def subnet_id(ec2) -> str:
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    return ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]


def _addresses(ec2) -> dict[str, dict]:
    return {a["AllocationId"]: a for a in ec2.describe_addresses()["Addresses"]}


def test_create_allocates_an_address_and_tags_both(ec2, subnet_id: str) -> None:
    created = NatGatewayProvider().create({"subnet_id": subnet_id, "tags": {"Name": "nat-a"}})

    nat = ec2.describe_nat_gateways(NatGatewayIds=[created.id])["NatGateways"][0]
    assert (nat["State"], nat["SubnetId"]) == ("available", subnet_id)
    assert nat["NatGatewayAddresses"][0]["AllocationId"] == created.outs["allocation_id"]
    address = _addresses(ec2)[created.outs["allocation_id"]]
    assert address["PublicIp"] == created.outs["public_ip"]
    assert address["Tags"] == [{"Key": "Name", "Value": "nat-a"}]
    assert created.outs["arn"] == f"arn:aws:ec2:{REGION}:{ACCOUNT}:natgateway/{created.id}"
    outs = NatGatewayProvider().read(created.id, created.outs).outs
    assert outs == created.outs


def test_diff_subnet_replaces_tags_update() -> None:
    provider = NatGatewayProvider()
    old = {"subnet_id": "subnet-1", "tags": {}, "nat_gateway_id": "nat-1", "allocation_id": "a", "public_ip": "p", "arn": "x"}

    assert provider.diff("nat-1", old, {"subnet_id": "subnet-2", "tags": {}}).replaces == ["subnet_id"]
    changed = provider.diff("nat-1", old, {"subnet_id": "subnet-1", "tags": {"a": "b"}})
    assert changed.changes and changed.replaces == []


def test_update_retags_gateway_and_address(ec2, subnet_id: str) -> None:
    provider = NatGatewayProvider()
    created = provider.create({"subnet_id": subnet_id, "tags": {"Name": "nat-a"}})

    updated = provider.update(created.id, created.outs, {"subnet_id": subnet_id, "tags": {"team": "net"}})

    assert updated.outs["allocation_id"] == created.outs["allocation_id"]
    assert provider.read(created.id, updated.outs).outs["tags"] == {"team": "net"}
    assert _addresses(ec2)[created.outs["allocation_id"]]["Tags"] == [{"Key": "team", "Value": "net"}]


def test_delete_releases_the_address_and_is_idempotent(ec2, subnet_id: str) -> None:
    provider = NatGatewayProvider()
    created = provider.create({"subnet_id": subnet_id, "tags": {}})

    provider.delete(created.id, created.outs)

    assert provider.read(created.id, created.outs) is None
    assert created.outs["allocation_id"] not in _addresses(ec2)
    provider.delete(created.id, created.outs)


def test_failed_create_releases_the_address_and_names_the_error(ec2) -> None:
    with pytest.raises(ProviderError, match=r"^NAT gateway in subnet-00000000: CreateNatGateway: InvalidSubnetID.NotFound: "):
        NatGatewayProvider().create({"subnet_id": "subnet-00000000", "tags": {}})

    assert _addresses(ec2) == {}
