"""CloudWatchAlarmProvider against moto: put, read back, update, tags, errors."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from provision.stacks.providers.base import ProviderError
from provision.stacks.providers import cloudwatch_alarm as alarm_module
from provision.stacks.providers.cloudwatch_alarm import CloudWatchAlarm, CloudWatchAlarmProvider

NAME = "acme-prod-web-5xx"
TOPIC = "arn:aws:sns:us-east-1:123456789012:oncall"


def _props(**overrides):
    props = {
        "alarm_name": NAME,
        "alarm_description": "5xx error rate above the SLA",
        "namespace": "AWS/CloudFront",
        "metric_name": "5xxErrorRate",
        "dimensions": {"DistributionId": "E123", "Region": "Global"},
        "statistic": "Average",
        "period": 300,
        "evaluation_periods": 3,
        "datapoints_to_alarm": 2,
        "threshold": 0.1,
        "comparison_operator": "GreaterThanThreshold",
        "alarm_actions": [TOPIC],
        "ok_actions": [TOPIC],
        "treat_missing_data": "notBreaching",
        "region": "us-east-1",
        "tags": {"provision:plan": "acme"},
    }
    return {**props, **overrides}


def test_create_in_the_given_region_then_read_round_trips(aws, account_id) -> None:
    provider = CloudWatchAlarmProvider()

    created = provider.create(_props())

    assert created.id == NAME
    assert created.outs["arn"] == f"arn:aws:cloudwatch:us-east-1:{account_id}:alarm:{NAME}"
    assert boto3.client("cloudwatch", region_name="eu-west-1").describe_alarms()["MetricAlarms"] == []
    assert provider.read(NAME, created.outs).outs == created.outs


def test_diff_name_or_region_replaces_the_rest_updates() -> None:
    provider = CloudWatchAlarmProvider()
    old = {**_props(), "arn": "arn:x"}

    assert provider.diff(NAME, old, _props(alarm_name="other")).replaces == ["alarm_name"]
    assert provider.diff(NAME, old, _props(region="eu-west-1")).replaces == ["region"]
    changed = provider.diff(NAME, old, _props(threshold=0.5, alarm_actions=[], tags={}))
    assert changed.changes and changed.replaces == []


def test_update_changes_threshold_actions_and_tags(aws) -> None:
    provider = CloudWatchAlarmProvider()
    created = provider.create(_props())
    news = _props(threshold=0.5, evaluation_periods=5, alarm_actions=[], tags={"team": "ops"})

    provider.update(NAME, created.outs, news)

    outs = provider.read(NAME, created.outs).outs
    assert (outs["threshold"], outs["evaluation_periods"], outs["alarm_actions"]) == (0.5, 5, [])
    assert outs["tags"] == {"team": "ops"}


def test_delete_then_read_is_none_and_delete_again_is_fine(aws) -> None:
    provider = CloudWatchAlarmProvider()
    created = provider.create(_props())

    provider.delete(NAME, created.outs)

    assert provider.read(NAME, created.outs) is None
    provider.delete(NAME, created.outs)


def test_an_aws_refusal_names_the_error_code(aws, monkeypatch: pytest.MonkeyPatch) -> None:
    # moto accepts any alarm settings, so the refusal real AWS gives for a
    # cross-region action is stubbed on an otherwise real client.
    cloudwatch = boto3.client("cloudwatch", region_name="eu-west-1")
    stubber = Stubber(cloudwatch)
    message = "Invalid region us-east-1 specified. Only eu-west-1 is supported."
    stubber.add_client_error("put_metric_alarm", service_error_code="ValidationError", service_message=message)
    monkeypatch.setattr(alarm_module, "client", lambda service, region=None: cloudwatch)

    with stubber, pytest.raises(ProviderError, match=rf"^Alarm {NAME}: PutMetricAlarm: ValidationError: {message}$"):
        CloudWatchAlarmProvider().create(_props(region="eu-west-1"))


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("comparison_operator", "Above", "comparison_operator 'Above' is not one of"),
        ("treat_missing_data", "skip", "treat_missing_data 'skip' is not one of"),
        ("statistic", "p99", "statistic 'p99' is not one of"),
    ],
)
def test_settings_aws_would_refuse_are_rejected_early(field: str, value: str, message: str) -> None:
    kwargs = {k: v for k, v in _props(**{field: value}).items()}
    with pytest.raises(ValueError, match=f"^{message}"):
        CloudWatchAlarm("alarm", **kwargs)
