"""VPC flow logs to a CloudWatch Logs group, delivered by an IAM role.

AWS cannot change a flow log after creation except its tags, so every other
setting replaces it. Creation waits while IAM propagates a new delivery role.
"""

from __future__ import annotations

from typing import Any, Mapping

import pulumi
import pulumi.dynamic

from provision.stacks.providers.base import (
    AwsResourceProvider,
    CreateResult,
    ProviderError,
    ReadResult,
    UpdateResult,
    client,
)
from provision.stacks.providers.calls import caller_account, call_or_none, role_not_yet_usable, while_role_propagates
from provision.stacks.providers.ec2_common import ec2_arn, sync_tags, tag_specifications
from provision.stacks.providers.tag_sync import tags_of


# What EC2 answers while the delivery role has not propagated yet.
ROLE_NOT_YET_USABLE = role_not_yet_usable("InvalidParameter", "Unable to assume given IAM role")


def _raise_unsuccessful(what: str, answer: Mapping[str, Any], ignore: frozenset[str] = frozenset()) -> None:
    """Flow log calls report per-item failures inside a 200 answer."""
    for item in answer.get("Unsuccessful") or []:
        error = item.get("Error", {})
        if error.get("Code") not in ignore:
            raise ProviderError(f"{what}: {error.get('Code', 'Unknown')}: {error.get('Message', '')}")


class FlowLogProvider(AwsResourceProvider):
    REPLACE_ON = frozenset(
        {"vpc_id", "traffic_type", "log_group_name", "deliver_logs_permission_arn", "max_aggregation_interval"}
    )
    OUTPUTS = frozenset({"flow_log_id", "arn"})
    # AWS refuses a second flow log of the same VPC, traffic and destination.
    UNIQUE_BY = frozenset({"vpc_id", "traffic_type", "log_group_name"})
    # What verify and the other providers need to know of this kind (see AwsResourceProvider).
    INVENTORY_MARKER = "flow_log_id"
    INVENTORY_PRIORITY = 1  # its outputs name its log group too: tried before LogGroup
    NOT_FOUND = frozenset({"InvalidFlowLogId.NotFound"})
    EXISTENCE_PROBE = ("existence:_ec2", "describe_flow_logs", "FlowLogIds", "FlowLogs")
    TAG_READER = "tags:_ec2"
    VERIFY_CHECKS = ("network.flow-log-retention", "tags")

    def create(self, props: dict[str, Any]) -> CreateResult:
        ec2 = client("ec2")
        what = f"Flow log for {props['vpc_id']}: CreateFlowLogs"
        answer = while_role_propagates(
            what,
            ec2.create_flow_logs,
            retry_if=ROLE_NOT_YET_USABLE,
            ResourceIds=[props["vpc_id"]],
            ResourceType="VPC",
            TrafficType=props.get("traffic_type") or "ALL",
            LogDestinationType="cloud-watch-logs",
            LogGroupName=props["log_group_name"],
            DeliverLogsPermissionArn=props["deliver_logs_permission_arn"],
            MaxAggregationInterval=int(props.get("max_aggregation_interval") or 600),
            TagSpecifications=tag_specifications("vpc-flow-log", props.get("tags")),
        )
        _raise_unsuccessful(what, answer)
        flow_log_id = answer["FlowLogIds"][0]
        arn = ec2_arn(ec2, caller_account(), "vpc-flow-log", flow_log_id)
        return CreateResult(flow_log_id, self.outputs(props, flow_log_id=flow_log_id, arn=arn))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult | None:
        ec2 = client("ec2")
        answer = call_or_none(f"Flow log {id_}: DescribeFlowLogs", ec2.describe_flow_logs, FlowLogIds=[id_])
        found = (answer or {}).get("FlowLogs") or []
        if not found:
            return None
        flow = found[0]
        current = {
            **props,
            "vpc_id": flow["ResourceId"],
            "traffic_type": flow["TrafficType"],
            "log_group_name": flow.get("LogGroupName"),
            "deliver_logs_permission_arn": flow.get("DeliverLogsPermissionArn"),
            "max_aggregation_interval": flow.get("MaxAggregationInterval"),
            "tags": tags_of(flow.get("Tags")),
        }
        arn = props.get("arn") or ec2_arn(ec2, caller_account(), "vpc-flow-log", id_)
        return ReadResult(id_, self.outputs(current, flow_log_id=id_, arn=arn))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        sync_tags(client("ec2"), id_, olds.get("tags"), news.get("tags"))
        return UpdateResult(self.outputs(news, flow_log_id=id_, arn=olds["arn"]))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        what = f"Flow log {id_}: DeleteFlowLogs"
        answer = call_or_none(what, client("ec2").delete_flow_logs, FlowLogIds=[id_])
        _raise_unsuccessful(what, answer or {}, ignore=frozenset({"InvalidFlowLogId.NotFound"}))


class FlowLog(pulumi.dynamic.Resource, module="aws", name="FlowLog"):
    """Flow logs of `vpc_id` into `log_group_name`; outputs `flow_log_id` and `arn`."""

    flow_log_id: pulumi.Output[str]
    arn: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        vpc_id: pulumi.Input[str],
        log_group_name: pulumi.Input[str],
        deliver_logs_permission_arn: pulumi.Input[str],
        traffic_type: str = "ALL",
        max_aggregation_interval: int = 600,
        tags: Mapping[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "vpc_id": vpc_id,
            "log_group_name": log_group_name,
            "deliver_logs_permission_arn": deliver_logs_permission_arn,
            "traffic_type": traffic_type,
            "max_aggregation_interval": max_aggregation_interval,
            "tags": dict(tags or {}),
            "flow_log_id": None,
            "arn": None,
        }
        super().__init__(FlowLogProvider(), resource_name, props, opts)
