"""VpcProvider against moto: lifecycle, DNS settings, tags, errors."""

from __future__ import annotations

import boto3
import pytest

from provision.stacks.providers.base import ProviderError
from provision.stacks.providers.vpc import VpcProvider

REGION = "eu-west-1"
ACCOUNT = "123456789012"


def _props(**overrides):
    props = {
        "cidr_block": "10.20.0.0/16",
        "enable_dns_support": True,
        "enable_dns_hostnames": True,
        "tags": {"provision:plan": "acme", "Name": "net"},
    }
    return {**props, **overrides}


def _dns(ec2, vpc_id: str) -> tuple[bool, bool]:
    support = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsSupport")["EnableDnsSupport"]["Value"]
    hostnames = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"]
    return support, hostnames


def test_create_sets_cidr_dns_and_tags(aws) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)

    result = VpcProvider().create(_props())

    vpc = ec2.describe_vpcs(VpcIds=[result.id])["Vpcs"][0]
    assert vpc["CidrBlock"] == "10.20.0.0/16"
    assert {t["Key"]: t["Value"] for t in vpc["Tags"]} == {"provision:plan": "acme", "Name": "net"}
    assert _dns(ec2, result.id) == (True, True)
    assert result.outs["vpc_id"] == result.id
    assert result.outs["arn"] == f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/{result.id}"


def test_read_reflects_drift(aws) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    provider = VpcProvider()
    props = _props()
    created = provider.create(props)
    ec2.modify_vpc_attribute(VpcId=created.id, EnableDnsHostnames={"Value": False})
    ec2.create_tags(Resources=[created.id], Tags=[{"Key": "extra", "Value": "1"}])

    outs = provider.read(created.id, created.outs).outs

    assert outs["enable_dns_hostnames"] is False
    assert outs["enable_dns_support"] is True
    assert outs["tags"] == {"provision:plan": "acme", "Name": "net", "extra": "1"}
    assert outs["cidr_block"] == "10.20.0.0/16"
    assert outs["arn"] == created.outs["arn"]


def test_diff_cidr_replaces_dns_and_tags_update() -> None:
    provider = VpcProvider()
    old = {**_props(), "vpc_id": "vpc-1", "arn": "arn:old"}

    assert provider.diff("vpc-1", old, _props(cidr_block="10.30.0.0/16")).replaces == ["cidr_block"]
    changed = provider.diff("vpc-1", old, _props(enable_dns_hostnames=False, tags={}))
    assert changed.changes and changed.replaces == []
    assert not provider.diff("vpc-1", old, _props()).changes


def test_update_changes_dns_and_tags(aws) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    provider = VpcProvider()
    created = provider.create(_props())

    result = provider.update(
        created.id,
        created.outs,
        _props(enable_dns_support=False, enable_dns_hostnames=False, tags={"Name": "renamed"}),
    )

    assert _dns(ec2, created.id) == (False, False)
    assert provider.read(created.id, result.outs).outs["tags"] == {"Name": "renamed"}
    assert result.outs["arn"] == created.outs["arn"]


def test_delete_then_read_is_none_and_delete_again_is_fine(aws) -> None:
    provider = VpcProvider()
    created = provider.create(_props())

    provider.delete(created.id, created.outs)

    assert provider.read(created.id, created.outs) is None
    provider.delete(created.id, created.outs)


def test_aws_error_code_is_in_the_message(aws) -> None:
    with pytest.raises(ProviderError, match=r"^VPC not-a-cidr: CreateVpc: InvalidParameterValue: "):
        VpcProvider().create(_props(cidr_block="not-a-cidr"))


def test_create_waits_out_an_immediate_not_found_from_the_waiter(aws, refuse_first) -> None:
    # Right after CreateVpc, EC2 may not list the VPC yet: the waiter's NotFound is eventual consistency.
    waits = refuse_first("ec2", "DescribeVpcs", "InvalidVpcID.NotFound", "The vpc ID 'vpc-1' does not exist", times=2)

    result = VpcProvider().create(_props())

    assert boto3.client("ec2", region_name=REGION).describe_vpcs(VpcIds=[result.id])["Vpcs"]
    assert waits == [0.5, 1.0]


def test_a_waiter_that_never_sees_the_vpc_fails_as_a_provider_error(aws, refuse_first) -> None:
    refuse_first("ec2", "DescribeVpcs", "InvalidVpcID.NotFound", "The vpc ID 'vpc-1' does not exist", times=None)

    with pytest.raises(ProviderError, match=r"^VPC vpc-\w+: wait available: InvalidVpcID.NotFound: The vpc ID"):
        VpcProvider().create(_props())
