"""A route table: its VPC (fixed), routes to an internet or NAT gateway, subnet associations, tags.

Routes are `{"destination_cidr_block": ..., "gateway_id": ...}` or
`{"destination_cidr_block": ..., "nat_gateway_id": ...}`; the VPC's local
route is implicit and never listed.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

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

# route prop -> the EC2 API's target parameter
TARGETS = {"gateway_id": "GatewayId", "nat_gateway_id": "NatGatewayId"}


def _target(route: Mapping[str, Any]) -> dict[str, str]:
    targets = {api: route[prop] for prop, api in TARGETS.items() if route.get(prop)}
    if len(targets) != 1:
        raise ValueError(f"route {route.get('destination_cidr_block')} needs exactly one of {sorted(TARGETS)}")
    return targets


def _by_destination(routes: Sequence[Mapping[str, Any]] | None) -> dict[str, dict[str, str]]:
    return {r["destination_cidr_block"]: _target(r) for r in routes or ()}


class RouteTableProvider(AwsResourceProvider):
    REPLACE_ON = frozenset({"vpc_id"})
    OUTPUTS = frozenset({"route_table_id", "arn"})
    SET_LIKE = frozenset({"subnet_ids", "routes"})
    # What verify and the other providers need to know of this kind (see AwsResourceProvider).
    INVENTORY_MARKER = "route_table_id"
    NOT_FOUND = frozenset({"InvalidRouteTableID.NotFound"})
    EXISTENCE_PROBE = ("existence:_ec2", "describe_route_tables", "RouteTableIds", "RouteTables")
    TAG_READER = "tags:_ec2"
    VERIFY_CHECKS = ("tags",)

    def create(self, props: dict[str, Any]) -> CreateResult:
        ec2 = client("ec2")
        table = aws_call(
            f"Route table in {props['vpc_id']}: CreateRouteTable",
            ec2.create_route_table,
            VpcId=props["vpc_id"],
            TagSpecifications=tag_specifications("route-table", props.get("tags")),
        )["RouteTable"]
        table_id = table["RouteTableId"]
        with rollback_on_failure(lambda: self.delete(table_id, props)):
            self._sync_routes(ec2, table_id, {}, _by_destination(props.get("routes")))
            self._sync_subnets(ec2, table_id, props.get("subnet_ids") or [])
        arn = ec2_arn(ec2, table["OwnerId"], "route-table", table_id)
        return CreateResult(table_id, self.outputs(props, route_table_id=table_id, arn=arn))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult | None:
        ec2 = client("ec2")
        table = self._describe(ec2, id_)
        if table is None:
            return None
        routes = []
        for route in table.get("Routes", []):
            if route.get("Origin") != "CreateRoute":
                continue  # the VPC's local route
            prop = "nat_gateway_id" if route.get("NatGatewayId") else "gateway_id"
            routes.append({"destination_cidr_block": route["DestinationCidrBlock"], prop: route.get(TARGETS[prop])})
        current = {
            **props,
            "vpc_id": table["VpcId"],
            "routes": sorted(routes, key=lambda r: r["destination_cidr_block"]),
            "subnet_ids": sorted(_associations(table)),
            "tags": tags_of(table.get("Tags")),
        }
        arn = ec2_arn(ec2, table["OwnerId"], "route-table", id_)
        return ReadResult(id_, self.outputs(current, route_table_id=id_, arn=arn))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        ec2 = client("ec2")
        self._sync_routes(ec2, id_, _by_destination(olds.get("routes")), _by_destination(news.get("routes")))
        self._sync_subnets(ec2, id_, news.get("subnet_ids") or [])
        sync_tags(ec2, id_, olds.get("tags"), news.get("tags"))
        return UpdateResult(self.outputs(news, route_table_id=id_, arn=olds["arn"]))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        ec2 = client("ec2")
        if self._describe(ec2, id_) is None:
            return
        self._sync_subnets(ec2, id_, [])
        call_or_none(f"Route table {id_}: DeleteRouteTable", ec2.delete_route_table, RouteTableId=id_)

    @staticmethod
    def _describe(ec2, table_id: str) -> dict | None:
        return first_or_none(
            f"Route table {table_id}: DescribeRouteTables",
            ec2.describe_route_tables,
            "RouteTables",
            RouteTableIds=[table_id],
        )

    @staticmethod
    def _sync_routes(ec2, table_id: str, old: Mapping[str, dict], new: Mapping[str, dict]) -> None:
        for destination in sorted(old.keys() - new.keys()):
            call_or_none(
                f"Route table {table_id}: DeleteRoute {destination}",
                ec2.delete_route,
                RouteTableId=table_id,
                DestinationCidrBlock=destination,
            )
        for destination, target in sorted(new.items()):
            if destination not in old:
                call, verb = ec2.create_route, "CreateRoute"
            elif old[destination] != target:
                call, verb = ec2.replace_route, "ReplaceRoute"
            else:
                continue
            aws_call(
                f"Route table {table_id}: {verb} {destination}",
                call,
                RouteTableId=table_id,
                DestinationCidrBlock=destination,
                **target,
            )

    def _sync_subnets(self, ec2, table_id: str, wanted: Sequence[str]) -> None:
        table = self._describe(ec2, table_id) or {}
        current = _associations(table)
        for subnet_id, association_id in sorted(current.items()):
            if subnet_id not in wanted:
                call_or_none(
                    f"Route table {table_id}: DisassociateRouteTable {subnet_id}",
                    ec2.disassociate_route_table,
                    AssociationId=association_id,
                )
        for subnet_id in sorted(set(wanted) - current.keys()):
            aws_call(
                f"Route table {table_id}: AssociateRouteTable {subnet_id}",
                ec2.associate_route_table,
                RouteTableId=table_id,
                SubnetId=subnet_id,
            )


def _associations(table: Mapping[str, Any]) -> dict[str, str]:
    """Subnet id -> association id, for explicit subnet associations."""
    return {a["SubnetId"]: a["RouteTableAssociationId"] for a in table.get("Associations", []) if a.get("SubnetId")}


class RouteTable(pulumi.dynamic.Resource, module="aws", name="RouteTable"):
    """A route table; outputs `route_table_id` (also the resource id) and `arn`."""

    route_table_id: pulumi.Output[str]
    arn: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        vpc_id: pulumi.Input[str],
        routes: Sequence[Mapping[str, pulumi.Input[str]]] = (),
        subnet_ids: Sequence[pulumi.Input[str]] = (),
        tags: Mapping[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "vpc_id": vpc_id,
            "routes": [dict(r) for r in routes],
            "subnet_ids": list(subnet_ids),
            "tags": dict(tags or {}),
            "route_table_id": None,
            "arn": None,
        }
        super().__init__(RouteTableProvider(), resource_name, props, opts)
