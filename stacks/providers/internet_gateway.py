"""An internet gateway attached to one VPC; moving it to another VPC is an update."""

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
from provision.stacks.providers.calls import call_or_none, first_or_none
from provision.stacks.providers.ec2_common import ec2_arn, sync_tags, tag_specifications
from provision.stacks.providers.tag_sync import tags_of


class InternetGatewayProvider(AwsResourceProvider):
    OUTPUTS = frozenset({"internet_gateway_id", "arn"})
    # What verify and the other providers need to know of this kind (see AwsResourceProvider).
    INVENTORY_MARKER = "internet_gateway_id"
    NOT_FOUND = frozenset({"InvalidInternetGatewayID.NotFound"})
    EXISTENCE_PROBE = ("existence:_ec2", "describe_internet_gateways", "InternetGatewayIds", "InternetGateways")
    TAG_READER = "tags:_ec2"
    VERIFY_CHECKS = ("tags",)

    def create(self, props: dict[str, Any]) -> CreateResult:
        ec2 = client("ec2")
        igw = aws_call(
            "Internet gateway: CreateInternetGateway",
            ec2.create_internet_gateway,
            TagSpecifications=tag_specifications("internet-gateway", props.get("tags")),
        )["InternetGateway"]
        igw_id = igw["InternetGatewayId"]
        with rollback_on_failure(lambda: self.delete(igw_id, {})):
            self._attach(ec2, igw_id, props["vpc_id"])
        arn = ec2_arn(ec2, igw["OwnerId"], "internet-gateway", igw_id)
        return CreateResult(igw_id, self.outputs(props, internet_gateway_id=igw_id, arn=arn))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult | None:
        ec2 = client("ec2")
        igw = first_or_none(
            f"Internet gateway {id_}: DescribeInternetGateways",
            ec2.describe_internet_gateways,
            "InternetGateways",
            InternetGatewayIds=[id_],
        )
        if igw is None:
            return None
        attached = [a["VpcId"] for a in igw.get("Attachments", []) if a.get("State") in ("available", "attached")]
        current = {**props, "vpc_id": attached[0] if attached else None, "tags": tags_of(igw.get("Tags"))}
        arn = ec2_arn(ec2, igw["OwnerId"], "internet-gateway", id_)
        return ReadResult(id_, self.outputs(current, internet_gateway_id=id_, arn=arn))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        ec2 = client("ec2")
        if olds.get("vpc_id") != news["vpc_id"]:
            self._detach(ec2, id_, olds.get("vpc_id"))
            self._attach(ec2, id_, news["vpc_id"])
        sync_tags(ec2, id_, olds.get("tags"), news.get("tags"))
        return UpdateResult(self.outputs(news, internet_gateway_id=id_, arn=olds["arn"]))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        ec2 = client("ec2")
        self._detach(ec2, id_, props.get("vpc_id"))
        call_or_none(f"Internet gateway {id_}: DeleteInternetGateway", ec2.delete_internet_gateway, InternetGatewayId=id_)

    @staticmethod
    def _attach(ec2, igw_id: str, vpc_id: str) -> None:
        aws_call(
            f"Internet gateway {igw_id}: AttachInternetGateway to {vpc_id}",
            ec2.attach_internet_gateway,
            InternetGatewayId=igw_id,
            VpcId=vpc_id,
        )

    @staticmethod
    def _detach(ec2, igw_id: str, vpc_id: str | None) -> None:
        if not vpc_id:
            return
        call_or_none(
            f"Internet gateway {igw_id}: DetachInternetGateway from {vpc_id}",
            ec2.detach_internet_gateway,
            also_gone=("Gateway.NotAttached",),
            InternetGatewayId=igw_id,
            VpcId=vpc_id,
        )


class InternetGateway(pulumi.dynamic.Resource, module="aws", name="InternetGateway"):
    """An internet gateway attached to `vpc_id`; outputs `internet_gateway_id` and `arn`."""

    internet_gateway_id: pulumi.Output[str]
    arn: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        vpc_id: pulumi.Input[str],
        tags: Mapping[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {"vpc_id": vpc_id, "tags": dict(tags or {}), "internet_gateway_id": None, "arn": None}
        super().__init__(InternetGatewayProvider(), resource_name, props, opts)
