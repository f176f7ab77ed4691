"""A subnet: VPC, CIDR block and availability zone (all fixed), public IPs on launch, tags."""

from __future__ import annotations

from typing import Any, Mapping

import pulumi
import pulumi.dynamic

from provision.stacks.providers.base import (
    AwsResourceProvider,
    CreateResult,
    ReadResult,
    UpdateResult,
    aws_call,
    client,
    rollback_on_failure,
)
from provision.stacks.providers.calls import call_or_none, first_or_none, wait_for
from provision.stacks.providers.ec2_common import sync_tags, tag_specifications
from provision.stacks.providers.tag_sync import tags_of


class SubnetProvider(AwsResourceProvider):
    REPLACE_ON = frozenset({"vpc_id", "cidr_block", "availability_zone"})
    OUTPUTS = frozenset({"subnet_id", "arn"})

    def create(self, props: dict[str, Any]) -> CreateResult:
        ec2 = client("ec2")
        subnet = aws_call(
            f"Subnet {props['cidr_block']} in {props['vpc_id']}: CreateSubnet",
            ec2.create_subnet,
            VpcId=props["vpc_id"],
            CidrBlock=props["cidr_block"],
            AvailabilityZone=props["availability_zone"],
            TagSpecifications=tag_specifications("subnet", props.get("tags")),
        )["Subnet"]
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
