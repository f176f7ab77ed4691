"""SubnetProvider against moto: lifecycle, public IP mapping, tags, errors."""

from __future__ import annotations

import boto3
import pytest

from provision.stacks.providers.base import ProviderError
from provision.stacks.providers.subnet import SubnetProvider

REGION = "eu-west-1"


@pytest.fixture
def vpc_id(aws) -> str:
    return boto3.client("ec2", region_name=REGION).create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]


def _props(vpc_id: str, **overrides):
    props = {
        "vpc_id": vpc_id,
        "cidr_block": "10.0.1.0/24",
        "availability_zone": f"{REGION}a",
        "map_public_ip_on_launch": True,
        "tags": {"Name": "public-a"},
    }
    return {**props, **overrides}


def test_create_then_read(vpc_id: str) -> None:
    provider = SubnetProvider()

    created = provider.create(_props(vpc_id))

    subnet = boto3.client("ec2", region_name=REGION).describe_subnets(SubnetIds=[created.id])["Subnets"][0]
    assert (subnet["VpcId"], subnet["CidrBlock"], subnet["AvailabilityZone"]) == (vpc_id, "10.0.1.0/24", "eu-west-1a")
    assert subnet["MapPublicIpOnLaunch"] is True
    assert created.outs["subnet_id"] == created.id
    assert created.outs["arn"] == subnet["SubnetArn"]
    outs = provider.read(created.id, created.outs).outs
    assert {k: outs[k] for k in _props(vpc_id)} == _props(vpc_id)


def test_diff_vpc_cidr_or_az_replace_public_ip_and_tags_update() -> None:
    provider = SubnetProvider()
    old = {**_props("vpc-1"), "subnet_id": "subnet-1", "arn": "arn:x"}

    for key, value in [("vpc_id", "vpc-2"), ("cidr_block", "10.0.2.0/24"), ("availability_zone", "eu-west-1b")]:
        assert provider.diff("subnet-1", old, {**_props("vpc-1"), key: value}).replaces == [key]
    changed = provider.diff("subnet-1", old, _props("vpc-1", map_public_ip_on_launch=False, tags={}))
    assert changed.changes and changed.replaces == []


def test_update_turns_public_ip_off_and_retags(vpc_id: str) -> None:
    provider = SubnetProvider()
    created = provider.create(_props(vpc_id))

    updated = provider.update(created.id, created.outs, _props(vpc_id, map_public_ip_on_launch=False, tags={"Name": "b"}))

    outs = provider.read(created.id, updated.outs).outs
    assert outs["map_public_ip_on_launch"] is False
    assert outs["tags"] == {"Name": "b"}


def test_delete_then_read_is_none_and_delete_again_is_fine(vpc_id: str) -> None:
    provider = SubnetProvider()
    created = provider.create(_props(vpc_id))

    provider.delete(created.id, created.outs)

    assert provider.read(created.id, created.outs) is None
    provider.delete(created.id, created.outs)


def test_cidr_outside_the_vpc_names_the_aws_error(vpc_id: str) -> None:
    with pytest.raises(ProviderError, match=rf"^Subnet 192.168.0.0/24 in {vpc_id}: CreateSubnet: InvalidSubnet.Range: "):
        SubnetProvider().create(_props(vpc_id, cidr_block="192.168.0.0/24"))


FAMILY = {"provision:plan": "acme", "provision:environment": "prod", "provision:function": "net"}


def _blocks(vpc_id: str) -> list[str]:
    subnets = boto3.client("ec2", region_name=REGION).describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]
    )["Subnets"]
    return sorted(s["CidrBlock"] for s in subnets)


def test_a_new_layout_removes_the_siblings_whose_blocks_it_needs(vpc_id: str) -> None:
    """Regression: three zones to two re-carves every block; each new subnet overlapped an old one not yet
    deleted (InvalidSubnet.Conflict on every retry)."""
    provider = SubnetProvider()
    old = [
        provider.create(_props(vpc_id, cidr_block=cidr, availability_zone=f"{REGION}{zone}", tags={**FAMILY, "provision:tier": tier}))
        for cidr, zone, tier in (("10.0.0.0/19", "a", "public"), ("10.0.32.0/19", "b", "public"), ("10.0.64.0/19", "c", "public"))
    ]  # fmt: skip

    # public-b of the two-zone layout: 10.0.64.0/18 overlaps old public-c (10.0.64.0/19) only.
    provider.create(_props(vpc_id, cidr_block="10.0.64.0/18", availability_zone=f"{REGION}b", tags={**FAMILY, "provision:tier": "public"}))

    assert _blocks(vpc_id) == ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/18"]
    # The engine deletes the superseded subnet later: already gone is fine.
    provider.delete(old[2].id, old[2].outs)


def test_a_subnet_of_someone_else_in_the_way_is_refused_by_name(vpc_id: str) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    theirs = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.0.0/24", AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]

    with pytest.raises(ProviderError) as refused:
        SubnetProvider().create(_props(vpc_id, cidr_block="10.0.0.0/18", tags={**FAMILY, "provision:tier": "public"}))

    assert str(refused.value).startswith(f"Subnet 10.0.0.0/18 in {vpc_id}: CreateSubnet: InvalidSubnet.Conflict: ")
    assert str(refused.value).endswith(
        f"Overlapping subnets not made by this function: {theirs} (10.0.0.0/24). Move them, or choose another cidr."
    )
    assert _blocks(vpc_id) == ["10.0.0.0/24"]


def test_a_conflict_already_gone_when_listed_is_retried(vpc_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression (generated plan, one zone to two): two new subnets overlapped the same old sibling; one
    create deleted it, the other listed no overlap and failed with "none listed" instead of retrying."""
    ec2 = boto3.client("ec2", region_name=REGION)
    old = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.0.0/17", AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]
    real_describe = ec2.describe_subnets

    def listed_after_a_sibling_removed_it(**kwargs):
        if _blocks(vpc_id) == ["10.0.0.0/17"]:
            ec2.delete_subnet(SubnetId=old)  # the other create, between this conflict and this listing
        return real_describe(**kwargs)

    monkeypatch.setattr(ec2, "describe_subnets", listed_after_a_sibling_removed_it)
    monkeypatch.setattr("provision.stacks.providers.subnet.client", lambda service, region=None: ec2)

    created = SubnetProvider().create(_props(vpc_id, cidr_block="10.0.0.0/18", tags={**FAMILY, "provision:tier": "public"}))

    assert created.outs["cidr_block"] == "10.0.0.0/18"
    assert _blocks(vpc_id) == ["10.0.0.0/18"]
