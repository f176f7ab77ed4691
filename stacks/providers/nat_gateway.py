"""A public NAT gateway in one subnet (fixed), with the Elastic IP it owns, and tags.

The Elastic IP is allocated with the gateway and released after it, so the
pair is one resource: an address is never left behind, paid and unused.
"""

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
from provision.stacks.providers.calls import call_or_none, wait_for
from provision.stacks.providers.ec2_common import ec2_arn, sync_tags, tag_specifications
from provision.stacks.providers.tag_sync import tags_of

# States in which a NAT gateway no longer exists for our purposes.
GONE_STATES = frozenset({"deleting", "deleted", "failed"})
NAT_NOT_FOUND = ("NatGatewayNotFound",)


class NatGatewayProvider(AwsResourceProvider):
    REPLACE_ON = frozenset({"subnet_id"})
    OUTPUTS = frozenset({"nat_gateway_id", "allocation_id", "public_ip", "arn"})
    # What verify and the other providers need to know of this kind (see AwsResourceProvider).
    INVENTORY_MARKER = "nat_gateway_id"
    NOT_FOUND = frozenset({"InvalidNatGatewayID.NotFound", "InvalidAllocationID.NotFound"})
    ALSO_GONE = frozenset(NAT_NOT_FOUND)
    EXISTENCE_PROBE = "existence:_nat"
    TAG_READER = "tags:_ec2"
    VERIFY_CHECKS = ("tags",)

    def create(self, props: dict[str, Any]) -> CreateResult:
        ec2 = client("ec2")
        subnet_id = props["subnet_id"]
        address = aws_call(
            f"NAT gateway in {subnet_id}: AllocateAddress",
            ec2.allocate_address,
            Domain="vpc",
            TagSpecifications=tag_specifications("elastic-ip", props.get("tags")),
        )
        with rollback_on_failure(lambda: self._release(ec2, address["AllocationId"])):
            nat = aws_call(
                f"NAT gateway in {subnet_id}: CreateNatGateway",
                ec2.create_nat_gateway,
                SubnetId=subnet_id,
                AllocationId=address["AllocationId"],
                ConnectivityType="public",
                TagSpecifications=tag_specifications("natgateway", props.get("tags")),
            )["NatGateway"]
        nat_id = nat["NatGatewayId"]
        with rollback_on_failure(lambda: self.delete(nat_id, {"allocation_id": address["AllocationId"]})):
            wait_for(f"NAT gateway {nat_id}: wait available", ec2, "nat_gateway_available", NatGatewayIds=[nat_id])
        outs = self.outputs(
            props,
            nat_gateway_id=nat_id,
            allocation_id=address["AllocationId"],
            public_ip=address["PublicIp"],
            arn=ec2_arn(ec2, self._account(ec2, nat), "natgateway", nat_id),
        )
        return CreateResult(nat_id, outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult | None:
        ec2 = client("ec2")
        nat = self._describe(ec2, id_)
        if nat is None:
            return None
        address = (nat.get("NatGatewayAddresses") or [{}])[0]
        current = {**props, "subnet_id": nat["SubnetId"], "tags": tags_of(nat.get("Tags"))}
        outs = self.outputs(
            current,
            nat_gateway_id=id_,
            allocation_id=address.get("AllocationId"),
            public_ip=address.get("PublicIp"),
            arn=props.get("arn") or ec2_arn(ec2, self._account(ec2, nat), "natgateway", id_),
        )
        return ReadResult(id_, outs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        ec2 = client("ec2")
        sync_tags(ec2, id_, olds.get("tags"), news.get("tags"))
        sync_tags(ec2, olds["allocation_id"], olds.get("tags"), news.get("tags"))
        computed = {k: olds[k] for k in ("allocation_id", "public_ip", "arn")}
        return UpdateResult(self.outputs(news, nat_gateway_id=id_, **computed))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        ec2 = client("ec2")
        if self._describe(ec2, id_) is not None:
            call_or_none(f"NAT gateway {id_}: DeleteNatGateway", ec2.delete_nat_gateway, also_gone=NAT_NOT_FOUND, NatGatewayId=id_)
            # The address stays in use until the gateway is fully deleted.
            wait_for(f"NAT gateway {id_}: wait deleted", ec2, "nat_gateway_deleted", gone_is_done=True, NatGatewayIds=[id_])
        if props.get("allocation_id"):
            self._release(ec2, props["allocation_id"])

    @staticmethod
    def _describe(ec2, nat_id: str) -> dict | None:
        answer = call_or_none(
            f"NAT gateway {nat_id}: DescribeNatGateways",
            ec2.describe_nat_gateways,
            also_gone=NAT_NOT_FOUND,
            NatGatewayIds=[nat_id],
        )
        live = [n for n in (answer or {}).get("NatGateways", []) if n["State"] not in GONE_STATES]
        return live[0] if live else None

    @staticmethod
    def _release(ec2, allocation_id: str) -> None:
        call_or_none(f"Elastic IP {allocation_id}: ReleaseAddress", ec2.release_address, AllocationId=allocation_id)

    @staticmethod
    def _account(ec2, nat: Mapping[str, Any]) -> str:
        # NAT gateways do not report their owner; their subnet does.
        subnet = aws_call(f"Subnet {nat['SubnetId']}: DescribeSubnets", ec2.describe_subnets, SubnetIds=[nat["SubnetId"]])
        return subnet["Subnets"][0]["OwnerId"]


class NatGateway(pulumi.dynamic.Resource, module="aws", name="NatGateway"):
    """A public NAT gateway; outputs `nat_gateway_id`, `allocation_id`, `public_ip` and `arn`."""

    nat_gateway_id: pulumi.Output[str]
    allocation_id: pulumi.Output[str]
    public_ip: pulumi.Output[str]
    arn: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        subnet_id: pulumi.Input[str],
        tags: Mapping[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "subnet_id": subnet_id,
            "tags": dict(tags or {}),
            "nat_gateway_id": None,
            "allocation_id": None,
            "public_ip": None,
            "arn": None,
        }
        super().__init__(NatGatewayProvider(), resource_name, props, opts)
