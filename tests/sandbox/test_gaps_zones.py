"""Availability zones on the sandbox: the zones AWS has, and subnets only there."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from provision.schemas.model import build_plan
from provision.stacks.sandbox.gaps import zones as zones_gap
from provision.stacks.zones import ZoneError, available_zones, zones_for


@pytest.fixture(autouse=True)
def _installed(gap_env) -> None:
    zones_gap.install()


@pytest.fixture
def make_client():
    with mock_aws():
        yield lambda service, region: boto3.client(service, region_name=region)


@pytest.mark.parametrize(("region", "expected"), [
    ("ca-central-1", ["ca-central-1a", "ca-central-1b", "ca-central-1d"]),
    ("ap-northeast-1", ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]),
])
def test_the_zones_of_a_region_are_the_ones_aws_has(make_client, region: str, expected: list[str]) -> None:
    assert available_zones(make_client, region) == expected


def test_a_subnet_in_a_zone_the_region_lacks_is_refused_with_the_regions_zones(make_client) -> None:
    ec2 = make_client("ec2", "ca-central-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    for zone in ("ca-central-1c", "eu-west-1a"):  # moto 5.2.1 created the second one
        with pytest.raises(ClientError) as caught:
            ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24", AvailabilityZone=zone)
        assert caught.value.response["Error"] == {
            "Code": "InvalidParameterValue",
            "Message": f"Value ({zone}) for parameter availabilityZone is invalid. Subnets can currently only be "
                       "created in the following availability zones: ca-central-1a, ca-central-1b, ca-central-1d.",
        }
    made = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24", AvailabilityZone="ca-central-1d")["Subnet"]
    assert made["AvailabilityZone"] == "ca-central-1d"


def _plan(azs: int):
    return build_plan({
        "apiVersion": "provision/v1", "kind": "OutsourcingPlan",
        "metadata": {"name": "zones-test", "owner": "platform@example.com"},
        "spec": {"environment": "dev", "region": "ca-central-1", "dataResidency": "ca",
                 "providers": {"aws": {"type": "cloud"}},
                 "functions": {"net": {"type": "network", "provider": "aws",
                                       "network": {"cidr": "10.0.0.0/16", "azs": azs}}}},
    })


def test_a_plan_gets_the_accounts_zones_and_a_clear_error_when_it_asks_for_more(make_client) -> None:
    assert zones_for(_plan(3), make_client) == ("ca-central-1a", "ca-central-1b", "ca-central-1d")
    with pytest.raises(ZoneError) as caught:
        zones_for(_plan(4), make_client)
    assert str(caught.value) == (
        "Network function `net` asks for 4 availability zones, but the account offers 3 in ca-central-1 "
        "(ca-central-1a, ca-central-1b, ca-central-1d). Set `azs` to 3 or fewer."
    )
