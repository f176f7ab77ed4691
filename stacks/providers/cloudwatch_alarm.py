"""A CloudWatch metric alarm: one metric against a threshold, notifying SNS topics.

PutMetricAlarm both creates and updates; it ignores tags on update, so tags
are kept in step with TagResource/UntagResource. `region` matters for
metrics that live in one region only (CloudFront's are in us-east-1).
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
    tag_list,
)
from provision.stacks.providers.calls import call_or_none
from provision.stacks.providers.tag_sync import apply_tag_changes, tags_of

COMPARISONS = frozenset(
    {
        "GreaterThanOrEqualToThreshold",
        "GreaterThanThreshold",
        "LessThanThreshold",
        "LessThanOrEqualToThreshold",
    }
)
MISSING_DATA = frozenset({"breaching", "notBreaching", "ignore", "missing"})
STATISTICS = frozenset({"SampleCount", "Average", "Sum", "Minimum", "Maximum"})


def _alarm_request(props: Mapping[str, Any]) -> dict[str, Any]:
    request = {
        "AlarmName": props["alarm_name"],
        "AlarmDescription": props.get("alarm_description") or "",
        "ActionsEnabled": True,
        "AlarmActions": list(props.get("alarm_actions") or []),
        "OKActions": list(props.get("ok_actions") or []),
        "Namespace": props["namespace"],
        "MetricName": props["metric_name"],
        "Dimensions": tag_list(props.get("dimensions"), key="Name"),
        "Statistic": props["statistic"],
        "Period": int(props["period"]),
        "EvaluationPeriods": int(props["evaluation_periods"]),
        "Threshold": float(props["threshold"]),
        "ComparisonOperator": props["comparison_operator"],
        "TreatMissingData": props.get("treat_missing_data") or "missing",
    }
    if props.get("datapoints_to_alarm"):
        request["DatapointsToAlarm"] = int(props["datapoints_to_alarm"])
    return request


class CloudWatchAlarmProvider(AwsResourceProvider):
    REPLACE_ON = frozenset({"alarm_name", "region"})
    OUTPUTS = frozenset({"arn"})
    UNIQUE_BY = frozenset({"alarm_name", "region"})
    SET_LIKE = frozenset({"alarm_actions", "ok_actions"})
    # What verify and the other providers need to know of this kind (see AwsResourceProvider).
    INVENTORY_MARKER = "alarm_name"
    NOT_FOUND = frozenset()
    EXISTENCE_PROBE = "existence:_alarm"
    TAG_READER = ("tags:_arn_list", "cloudwatch", "ResourceARN")
    VERIFY_CHECKS = ("tags",)

    def create(self, props: dict[str, Any]) -> CreateResult:
        cloudwatch = client("cloudwatch", props.get("region"))
        name = props["alarm_name"]
        aws_call(
            f"Alarm {name}: PutMetricAlarm",
            cloudwatch.put_metric_alarm,
            **_alarm_request(props),
            Tags=tag_list(props.get("tags")),
        )
        alarm = self._describe(cloudwatch, name)
        return CreateResult(name, self.outputs(props, arn=alarm["AlarmArn"]))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult | None:
        cloudwatch = client("cloudwatch", props.get("region"))
        alarm = self._describe(cloudwatch, id_)
        if alarm is None:
            return None
        tags = aws_call(
            f"Alarm {id_}: ListTagsForResource",
            cloudwatch.list_tags_for_resource,
            ResourceARN=alarm["AlarmArn"],
        )["Tags"]
        current = {
            **props,
            "alarm_name": id_,
            "alarm_description": alarm.get("AlarmDescription") or "",
            "alarm_actions": alarm.get("AlarmActions", []),
            "ok_actions": alarm.get("OKActions", []),
            "namespace": alarm["Namespace"],
            "metric_name": alarm["MetricName"],
            "dimensions": tags_of(alarm.get("Dimensions"), key="Name"),
            "statistic": alarm["Statistic"],
            "period": alarm["Period"],
            "evaluation_periods": alarm["EvaluationPeriods"],
            "datapoints_to_alarm": alarm.get("DatapointsToAlarm"),
            "threshold": alarm["Threshold"],
            "comparison_operator": alarm["ComparisonOperator"],
            "treat_missing_data": alarm.get("TreatMissingData", "missing"),
            "tags": tags_of(tags),
        }
        return ReadResult(id_, self.outputs(current, arn=alarm["AlarmArn"]))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        cloudwatch = client("cloudwatch", news.get("region"))
        aws_call(f"Alarm {id_}: PutMetricAlarm", cloudwatch.put_metric_alarm, **_alarm_request(news))
        arn = olds["arn"]
        apply_tag_changes(
            olds.get("tags"),
            news.get("tags"),
            untag=lambda keys: aws_call(f"Alarm {id_}: UntagResource", cloudwatch.untag_resource, ResourceARN=arn, TagKeys=keys),
            tag=lambda tags: aws_call(f"Alarm {id_}: TagResource", cloudwatch.tag_resource, ResourceARN=arn, Tags=tag_list(tags)),
        )
        return UpdateResult(self.outputs(news, arn=arn))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        # DeleteAlarms succeeds for names that do not exist.
        call_or_none(f"Alarm {id_}: DeleteAlarms", client("cloudwatch", props.get("region")).delete_alarms, AlarmNames=[id_])

    @staticmethod
    def _describe(cloudwatch, name: str) -> dict | None:
        alarms = aws_call(
            f"Alarm {name}: DescribeAlarms",
            cloudwatch.describe_alarms,
            AlarmNames=[name],
            AlarmTypes=["MetricAlarm"],
        )["MetricAlarms"]
        return alarms[0] if alarms else None


class CloudWatchAlarm(pulumi.dynamic.Resource, module="aws", name="CloudWatchAlarm"):
    """A metric alarm; its name is the resource id, `arn` its ARN."""

    arn: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        alarm_name: pulumi.Input[str],
        namespace: str,
        metric_name: str,
        statistic: str,
        period: int,
        evaluation_periods: int,
        threshold: float,
        comparison_operator: str,
        dimensions: Mapping[str, pulumi.Input[str]] | None = None,
        alarm_actions: Sequence[pulumi.Input[str]] = (),
        ok_actions: Sequence[pulumi.Input[str]] = (),
        datapoints_to_alarm: int | None = None,
        treat_missing_data: str = "missing",
        alarm_description: str = "",
        region: str | None = None,
        tags: Mapping[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        for value, allowed, what in (
            (comparison_operator, COMPARISONS, "comparison_operator"),
            (treat_missing_data, MISSING_DATA, "treat_missing_data"),
            (statistic, STATISTICS, "statistic"),
        ):
            if value not in allowed:
                raise ValueError(f"{what} {value!r} is not one of {sorted(allowed)}")
        props = {
            "alarm_name": alarm_name,
            "alarm_description": alarm_description,
            "namespace": namespace,
            "metric_name": metric_name,
            "dimensions": dict(dimensions or {}),
            "statistic": statistic,
            "period": period,
            "evaluation_periods": evaluation_periods,
            "datapoints_to_alarm": datapoints_to_alarm,
            "threshold": threshold,
            "comparison_operator": comparison_operator,
            "alarm_actions": list(alarm_actions),
            "ok_actions": list(ok_actions),
            "treat_missing_data": treat_missing_data,
            "region": region,
            "tags": dict(tags or {}),
            "arn": None,
        }
        super().__init__(CloudWatchAlarmProvider(), resource_name, props, opts)
