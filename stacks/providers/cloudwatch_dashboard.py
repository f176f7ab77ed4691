"""A CloudWatch dashboard: a name (fixed) and a JSON body."""

from __future__ import annotations

import json
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
    same_json,
)
from provision.stacks.providers.calls import call_or_none

# GetDashboard/DeleteDashboards answer this code (not ResourceNotFoundException).
DASHBOARD_GONE = ("ResourceNotFound",)


class CloudWatchDashboardProvider(AwsResourceProvider):
    REPLACE_ON = frozenset({"dashboard_name"})
    OUTPUTS = frozenset({"arn"})
    UNIQUE_BY = frozenset({"dashboard_name"})
    # What verify and the other providers need to know of this kind (see AwsResourceProvider).
    INVENTORY_MARKER = "dashboard_name"
    NOT_FOUND = frozenset()
    ALSO_GONE = frozenset(DASHBOARD_GONE)
    EXISTENCE_PROBE = "existence:_dashboard"
    TAG_READER = None
    VERIFY_CHECKS = ()

    def create(self, props: dict[str, Any]) -> CreateResult:
        cloudwatch = client("cloudwatch")
        name = props["dashboard_name"]
        self._put(cloudwatch, props)
        dashboard = aws_call(f"Dashboard {name}: GetDashboard", cloudwatch.get_dashboard, DashboardName=name)
        return CreateResult(name, self.outputs(props, arn=dashboard["DashboardArn"]))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult | None:
        dashboard = call_or_none(
            f"Dashboard {id_}: GetDashboard",
            client("cloudwatch").get_dashboard,
            also_gone=DASHBOARD_GONE,
            DashboardName=id_,
        )
        if dashboard is None:
            return None
        current = {
            **props,
            "dashboard_name": id_,
            "dashboard_body": same_json(dashboard["DashboardBody"], props.get("dashboard_body")),
        }
        return ReadResult(id_, self.outputs(current, arn=dashboard["DashboardArn"]))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        self._put(client("cloudwatch"), news)
        return UpdateResult(self.outputs(news, arn=olds["arn"]))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        call_or_none(
            f"Dashboard {id_}: DeleteDashboards",
            client("cloudwatch").delete_dashboards,
            also_gone=DASHBOARD_GONE,
            DashboardNames=[id_],
        )

    @staticmethod
    def _put(cloudwatch, props: Mapping[str, Any]) -> None:
        name = props["dashboard_name"]
        aws_call(f"Dashboard {name}: PutDashboard", cloudwatch.put_dashboard, DashboardName=name, DashboardBody=props["dashboard_body"])


class CloudWatchDashboard(pulumi.dynamic.Resource, module="aws", name="CloudWatchDashboard"):
    """A dashboard; its name is the resource id, `arn` its ARN.

    `dashboard_body` is the JSON text, or a dict (or Output of one) that is
    serialised with sorted keys so equal bodies never show as a change.
    """

    arn: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        dashboard_name: pulumi.Input[str],
        dashboard_body: pulumi.Input[str] | pulumi.Input[Mapping[str, Any]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "dashboard_name": dashboard_name,
            "dashboard_body": pulumi.Output.from_input(dashboard_body).apply(_as_json),
            "arn": None,
        }
        super().__init__(CloudWatchDashboardProvider(), resource_name, props, opts)


def _as_json(body: str | Mapping[str, Any]) -> str:
    return body if isinstance(body, str) else json.dumps(body, sort_keys=True)
