"""RouteTableProvider against moto: routes to gateways, subnet associations, tags, errors."""

from __future__ import annotations

import boto3
import pytest

from provision.stacks.providers.base import ProviderError
from provision.stacks.providers.route_table import RouteTableProvider

REGION = "eu-west-1"


@pytest.fixture
def net(aws) -> dict[str, str]:
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    subnets = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]
        for i in (1, 2)
    ]
    address = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat_id = ec2.create_nat_gateway(SubnetId=subnets[0], AllocationId=address)["NatGateway"]["NatGatewayId"]
    return {"vpc": vpc_id, "igw": igw_id, "nat": nat_id, "a": subnets[0], "b": subnets[1]}


def _props(net, **overrides):
    props = {
        "vpc_id": net["vpc"],
        "routes": [{"destination_cidr_block": "0.0.0.0/0", "gateway_id": net["igw"]}],
        "subnet_ids": [net["a"]],
        "tags": {"Name": "public"},
    }
    return {**props, **overrides}


def _read(provider, created):
    outs = provider.read(created.id, created.outs).outs
    return outs["routes"], outs["subnet_ids"], outs["tags"]


def test_create_routes_associates_and_tags(net) -> None:
    provider = RouteTableProvider()

    created = provider.create(_props(net))

    assert created.outs["route_table_id"] == created.id
    assert created.outs["arn"].endswith(f":route-table/{created.id}")
    assert _read(provider, created) == (
        [{"destination_cidr_block": "0.0.0.0/0", "gateway_id": net["igw"]}],
        [net["a"]],
        {"Name": "public"},
    )


def test_diff_vpc_replaces_routes_subnets_tags_update() -> None:
    provider = RouteTableProvider()
    net = {"vpc": "vpc-1", "igw": "igw-1", "a": "subnet-a"}
    old = {**_props(net), "route_table_id": "rtb-1", "arn": "arn:x"}

    assert provider.diff("rtb-1", old, _props(net, vpc_id="vpc-2")).replaces == ["vpc_id"]
    changed = provider.diff("rtb-1", old, _props(net, routes=[], subnet_ids=["subnet-b"]))
    assert changed.changes and changed.replaces == []


def test_update_switches_route_target_and_moves_associations(net) -> None:
    provider = RouteTableProvider()
    created = provider.create(_props(net))
    news = _props(
        net,
        routes=[
            {"destination_cidr_block": "0.0.0.0/0", "nat_gateway_id": net["nat"]},
            {"destination_cidr_block": "192.168.0.0/16", "gateway_id": net["igw"]},
        ],
        subnet_ids=[net["b"]],
        tags={"Name": "private"},
    )

    provider.update(created.id, created.outs, news)

    assert _read(provider, created) == (news["routes"], [net["b"]], {"Name": "private"})

    provider.update(created.id, {**created.outs, **news}, _props(net, routes=[], subnet_ids=[]))
    assert _read(provider, created)[:2] == ([], [])


def test_delete_disassociates_and_is_idempotent(net) -> None:
    provider = RouteTableProvider()
    created = provider.create(_props(net, subnet_ids=[net["a"], net["b"]]))

    provider.delete(created.id, created.outs)

    assert provider.read(created.id, created.outs) is None
    provider.delete(created.id, created.outs)


def test_route_to_an_unknown_gateway_names_the_aws_error(net) -> None:
    routes = [{"destination_cidr_block": "0.0.0.0/0", "gateway_id": "igw-00000000"}]
    with pytest.raises(ProviderError, match=r": CreateRoute 0.0.0.0/0: InvalidInternetGatewayID.NotFound: "):
        RouteTableProvider().create(_props(net, routes=routes))


def test_a_route_needs_exactly_one_target(net) -> None:
    routes = [{"destination_cidr_block": "0.0.0.0/0", "gateway_id": net["igw"], "nat_gateway_id": net["nat"]}]
    with pytest.raises(ValueError, match=r"^route 0.0.0.0/0 needs exactly one of \['gateway_id', 'nat_gateway_id'\]$"):
        RouteTableProvider().create(_props(net, routes=routes))


def test_failed_route_leaves_no_table_behind(net) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    before = {t["RouteTableId"] for t in ec2.describe_route_tables()["RouteTables"]}
    routes = [{"destination_cidr_block": "0.0.0.0/0", "gateway_id": "igw-00000000"}]

    with pytest.raises(ProviderError):
        RouteTableProvider().create(_props(net, routes=routes))

    assert {t["RouteTableId"] for t in ec2.describe_route_tables()["RouteTables"]} == before


def test_subnets_in_another_order_are_no_change_after_a_refresh(net) -> None:
    """Regression: AWS lists associations in its own order, so every networked plan showed `~ update`."""
    provider = RouteTableProvider()
    wanted = sorted([net["a"], net["b"]], reverse=True)  # not the order a read gives back
    created = provider.create(_props(net, subnet_ids=wanted))

    refreshed = provider.read(created.id, created.outs).outs

    assert refreshed == created.outs  # refresh records nothing new: drift stays quiet
    assert provider.diff(created.id, refreshed, _props(net, subnet_ids=wanted)).changes is False
    assert sorted(refreshed["subnet_ids"]) == sorted([net["a"], net["b"]])
