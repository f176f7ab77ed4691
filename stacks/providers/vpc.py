"""A VPC: its CIDR block (fixed for life), DNS support and hostnames, tags."""

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
from provision.stacks.providers.ec2_common import ec2_arn, sync_tags, tag_specifications
from provision.stacks.providers.tag_sync import tags_of

# prop -> (DescribeVpcAttribute name, ModifyVpcAttribute/answer key)
DNS_ATTRIBUTES = {
    "enable_dns_support": ("enableDnsSupport", "EnableDnsSupport"),
    "enable_dns_hostnames": ("enableDnsHostnames", "EnableDnsHostnames"),
}


class VpcProvider(AwsResourceProvider):
    REPLACE_ON = frozenset({"cidr_block"})
    OUTPUTS = frozenset({"vpc_id", "arn"})
    # No UNIQUE_BY: AWS lets VPC CIDR blocks overlap, so a new VPC is made before the old one goes.
    # What verify and the other providers need to know of this kind (see AwsResourceProvider).
    INVENTORY_MARKER = "enable_dns_support"
    NOT_FOUND = frozenset({"InvalidVpcID.NotFound"})
    EXISTENCE_PROBE = ("existence:_ec2", "describe_vpcs", "VpcIds", "Vpcs")
    TAG_READER = "tags:_ec2"
    VERIFY_CHECKS = ("tags",)

    def create(self, props: dict[str, Any]) -> CreateResult:
        ec2 = client("ec2")
        vpc = aws_call(
            f"VPC {props['cidr_block']}: CreateVpc",
            ec2.create_vpc,
            CidrBlock=props["cidr_block"],
            TagSpecifications=tag_specifications("vpc", props.get("tags")),
        )["Vpc"]
        vpc_id = vpc["VpcId"]
        with rollback_on_failure(lambda: self.delete(vpc_id, props)):
            wait_for(f"VPC {vpc_id}: wait available", ec2, "vpc_available", VpcIds=[vpc_id])
            self._set_dns(ec2, vpc_id, {}, props)
        return CreateResult(vpc_id, self.outputs(props, vpc_id=vpc_id, arn=ec2_arn(ec2, vpc["OwnerId"], "vpc", vpc_id)))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult | None:
        ec2 = client("ec2")
        vpc = first_or_none(f"VPC {id_}: DescribeVpcs", ec2.describe_vpcs, "Vpcs", VpcIds=[id_])
        if vpc is None:
            return None
        current = {**props, "cidr_block": vpc["CidrBlock"], "tags": tags_of(vpc.get("Tags"))}
        for prop, (attribute, key) in DNS_ATTRIBUTES.items():
            answer = aws_call(
                f"VPC {id_}: DescribeVpcAttribute {attribute}",
                ec2.describe_vpc_attribute,
                VpcId=id_,
                Attribute=attribute,
            )
            current[prop] = answer[key]["Value"]
        return ReadResult(id_, self.outputs(current, vpc_id=id_, arn=ec2_arn(ec2, vpc["OwnerId"], "vpc", id_)))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        ec2 = client("ec2")
        self._set_dns(ec2, id_, olds, news)
        sync_tags(ec2, id_, olds.get("tags"), news.get("tags"))
        return UpdateResult(self.outputs(news, vpc_id=id_, arn=olds["arn"]))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        call_or_none(f"VPC {id_}: DeleteVpc", client("ec2").delete_vpc, VpcId=id_)

    @staticmethod
    def _set_dns(ec2, vpc_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> None:
        # One attribute per call. Hostnames need DNS support, so support is
        # switched on first and off last.
        order = list(DNS_ATTRIBUTES.items())
        if not news.get("enable_dns_support", True):
            order.reverse()
        for prop, (attribute, key) in order:
            wanted = bool(news.get(prop, True))
            if olds.get(prop) != wanted:
                aws_call(
                    f"VPC {vpc_id}: ModifyVpcAttribute {attribute}",
                    ec2.modify_vpc_attribute,
                    VpcId=vpc_id,
                    **{key: {"Value": wanted}},
                )


class Vpc(pulumi.dynamic.Resource, module="aws", name="Vpc"):
    """A VPC; outputs `vpc_id` (also the resource id) and `arn`."""

    vpc_id: pulumi.Output[str]
    arn: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        cidr_block: pulumi.Input[str],
        enable_dns_support: bool = True,
        enable_dns_hostnames: bool = True,
        tags: Mapping[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "cidr_block": cidr_block,
            "enable_dns_support": enable_dns_support,
            "enable_dns_hostnames": enable_dns_hostnames,
            "tags": dict(tags or {}),
            "vpc_id": None,
            "arn": None,
        }
        super().__init__(VpcProvider(), resource_name, props, opts)
