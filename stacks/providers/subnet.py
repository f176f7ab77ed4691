"""A subnet: VPC, CIDR block and availability zone (all fixed), public IPs on launch, tags.

CIDR blocks may not overlap within a VPC, so a layout change (a network from
three zones to two re-carves every block) cannot make a new subnet while the
old ones hold its addresses. A subnet replaced in its VPC is deleted first;
and a new subnet whose block overlaps *siblings* (subnets of the same plan,
environment and function, by their tags) removes them first: their blocks
overlap one the plan now wants, so no layout the plan describes keeps them,
and the engine, which would delete them later, finds them gone. Anything
else in the way is an error that names it.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Mapping

import pulumi
from botocore.exceptions import ClientError
import pulumi.dynamic

from provision.stacks.providers.base import (
    AwsResourceProvider,
    CreateResult,
    ReadResult,
    UpdateResult,
    aws_call,
    aws_failure,
    client,
    error_code,
    rollback_on_failure,
)
from provision.stacks.providers.calls import call_or_none, first_or_none, wait_for
from provision.stacks.providers.ec2_common import sync_tags, tag_specifications
from provision.stacks.providers.tag_sync import OWNERSHIP_TAG_PREFIX, tags_of


CONFLICT = "InvalidSubnet.Conflict"
# Subnets carrying these tags with the same values belong to the same network function.
SIBLING_TAGS = (f"{OWNERSHIP_TAG_PREFIX}plan", f"{OWNERSHIP_TAG_PREFIX}environment", f"{OWNERSHIP_TAG_PREFIX}function")


def _tagged(subnet: Mapping[str, Any], tags: Mapping[str, str]) -> bool:
    found = tags_of(subnet.get("Tags"))
    return all(found.get(k) == v for k, v in tags.items())


class SubnetProvider(AwsResourceProvider):
    REPLACE_ON = frozenset({"vpc_id", "cidr_block", "availability_zone"})
    OUTPUTS = frozenset({"subnet_id", "arn"})
    # Blocks may not overlap within a VPC, and a new block may overlap the old one:
    # a subnet replaced in the same VPC is deleted first.
    UNIQUE_BY = frozenset({"vpc_id"})
    # What verify and the other providers need to know of this kind (see AwsResourceProvider).
    INVENTORY_MARKER = "map_public_ip_on_launch"
    NOT_FOUND = frozenset({"InvalidSubnetID.NotFound"})
    EXISTENCE_PROBE = ("existence:_ec2", "describe_subnets", "SubnetIds", "Subnets")
    TAG_READER = "tags:_ec2"
    VERIFY_CHECKS = ("tags",)

    def create(self, props: dict[str, Any]) -> CreateResult:
        ec2 = client("ec2")
        what = f"Subnet {props['cidr_block']} in {props['vpc_id']}: CreateSubnet"
        request = {
            "VpcId": props["vpc_id"],
            "CidrBlock": props["cidr_block"],
            "AvailabilityZone": props["availability_zone"],
            "TagSpecifications": tag_specifications("subnet", props.get("tags")),
        }
        try:
            subnet = ec2.create_subnet(**request)["Subnet"]
        except ClientError as exc:
            if error_code(exc) != CONFLICT:
                raise aws_failure(what, exc) from exc
            self._remove_superseded(ec2, props, exc)
            subnet = aws_call(what, ec2.create_subnet, **request)["Subnet"]
        subnet_id = subnet["SubnetId"]
        with rollback_on_failure(lambda: self.delete(subnet_id, props)):
            wait_for(f"Subnet {subnet_id}: wait available", ec2, "subnet_available", SubnetIds=[subnet_id])
            if props.get("map_public_ip_on_launch"):
                self._set_public_ip(ec2, subnet_id, True)
        return CreateResult(subnet_id, self.outputs(props, subnet_id=subnet_id, arn=subnet["SubnetArn"]))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult | None:
        subnet = first_or_none(f"Subnet {id_}: DescribeSubnets", client("ec2").describe_subnets, "Subnets", SubnetIds=[id_])
        if subnet is None:
            return None
        current = {
            **props,
            "vpc_id": subnet["VpcId"],
            "cidr_block": subnet["CidrBlock"],
            "availability_zone": subnet["AvailabilityZone"],
            "map_public_ip_on_launch": subnet["MapPublicIpOnLaunch"],
            "tags": tags_of(subnet.get("Tags")),
        }
        return ReadResult(id_, self.outputs(current, subnet_id=id_, arn=subnet["SubnetArn"]))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        ec2 = client("ec2")
        wanted = bool(news.get("map_public_ip_on_launch"))
        if bool(olds.get("map_public_ip_on_launch")) != wanted:
            self._set_public_ip(ec2, id_, wanted)
        sync_tags(ec2, id_, olds.get("tags"), news.get("tags"))
        return UpdateResult(self.outputs(news, subnet_id=id_, arn=olds["arn"]))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        call_or_none(f"Subnet {id_}: DeleteSubnet", client("ec2").delete_subnet, SubnetId=id_)

    @staticmethod
    def _remove_superseded(ec2, props: Mapping[str, Any], conflict: ClientError) -> None:
        """Delete the sibling subnets whose blocks overlap the one `props` wants; refuse if any other does."""
        wanted = ipaddress.ip_network(props["cidr_block"])
        listed = aws_call(
            f"Subnets of {props['vpc_id']}: DescribeSubnets",
            ec2.describe_subnets,
            Filters=[{"Name": "vpc-id", "Values": [props["vpc_id"]]}],
        )["Subnets"]
        overlapping = [s for s in listed if ipaddress.ip_network(s["CidrBlock"]).overlaps(wanted)]
        family = {k: v for k, v in (props.get("tags") or {}).items() if k in SIBLING_TAGS}
        strangers = [s for s in overlapping if len(family) < len(SIBLING_TAGS) or not _tagged(s, family)]
        # Nothing overlapping any more: the subnet in the way went since, deleted by the engine or by a
        # sibling's create that it overlapped too (creates run in parallel). The retry can go ahead.
        if strangers:
            names = ", ".join(f"{s['SubnetId']} ({s['CidrBlock']})" for s in strangers)
            raise aws_failure(
                f"Subnet {props['cidr_block']} in {props['vpc_id']}: CreateSubnet",
                conflict,
                f"Overlapping subnets not made by this function: {names}. Move them, or choose another cidr.",
            )
        for sibling in overlapping:
            call_or_none(
                f"Subnet {sibling['SubnetId']} ({sibling['CidrBlock']}, superseded by {props['cidr_block']}): "
                "DeleteSubnet",
                ec2.delete_subnet,
                SubnetId=sibling["SubnetId"],
            )

    @staticmethod
    def _set_public_ip(ec2, subnet_id: str, enabled: bool) -> None:
        aws_call(
            f"Subnet {subnet_id}: ModifySubnetAttribute MapPublicIpOnLaunch",
            ec2.modify_subnet_attribute,
            SubnetId=subnet_id,
            MapPublicIpOnLaunch={"Value": enabled},
        )


class Subnet(pulumi.dynamic.Resource, module="aws", name="Subnet"):
    """A subnet; outputs `subnet_id` (also the resource id) and `arn`."""

    subnet_id: pulumi.Output[str]
    arn: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        vpc_id: pulumi.Input[str],
        cidr_block: pulumi.Input[str],
        availability_zone: pulumi.Input[str],
        map_public_ip_on_launch: bool = False,
        tags: Mapping[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "vpc_id": vpc_id,
            "cidr_block": cidr_block,
            "availability_zone": availability_zone,
            "map_public_ip_on_launch": map_public_ip_on_launch,
            "tags": dict(tags or {}),
            "subnet_id": None,
            "arn": None,
        }
        super().__init__(SubnetProvider(), resource_name, props, opts)
