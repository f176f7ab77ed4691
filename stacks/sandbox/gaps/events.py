"""EventBridge: deliver matching events to SNS topic targets, which moto 5.2.1 cannot.

Why it fails: moto's `Rule.send_to_targets` knows log groups, archives, SQS,
event buses and API destinations, and raises NotImplementedError for any other
target ARN. An SNS topic target therefore makes PutEvents blow up (a 500 from
the server) instead of publishing the event.

The fill delivers SNS targets itself and hands every other target to moto's
original code. As on AWS, the message is the event JSON (with `time` in ISO
8601), or the target's `Input`, `InputPath` or `InputTransformer` result; a
target topic that does not exist is a silent delivery failure, not an error
of PutEvents.

As on AWS, delivery to a topic is refused unless the topic policy lets
events.amazonaws.com publish (with the rule as aws:SourceArn and the account
as aws:SourceAccount) and, for a KMS-encrypted topic, the key policy lets
events.amazonaws.com use the key. AWS documents that aws:SourceAccount,
aws:SourceArn and aws:SourceOrgID are not supported for this KMS call: the
request carries none of them, so a key statement conditioned on them grants
nothing. A refused delivery is silent, as on AWS: PutEvents succeeds, and the
rule's `FailedInvocations` metric (namespace AWS/Events, dimension RuleName)
counts it; every attempt counts in `Invocations`.

A second gap on the same path: moto's pattern matcher does not look inside
arrays of objects, so the documented Security Hub pattern
`{"detail": {"findings": {"Severity": {"Label": [...]}}}}` never matches a
finding event. AWS matches a key below an array against the values of every
element; the fill flattens events that way.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from moto.core.utils import iso_8601_datetime_without_milliseconds, utcfromtimestamp
from moto.events.models import EventPattern, Rule
from moto.events.utils import EventTemplateParser
from moto.sns.models import sns_backends
from moto.utilities.arns import parse_arn

from provision.stacks.sandbox import access

EVENTS = "events.amazonaws.com"
# What an EventBridge target needs of a topic's key (AWS: "Amazon SNS topic" target docs).
KEY_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")

_original_send_to_targets = Rule.send_to_targets


def _merge(result: dict[str, Any], key: str, value: Any) -> None:
    """Add a leaf value; a key reached through several array elements collects a list."""
    if key not in result:
        result[key] = value
        return
    existing = result[key] if isinstance(result[key], list) else [result[key]]
    result[key] = existing + (value if isinstance(value, list) else [value])


def _flatten_dict(node: Any, prefix: str = "", result: dict[str, Any] | None = None) -> dict[str, Any]:
    """moto's flattening ("a.b.c" -> leaf), extended through arrays of objects."""
    result = {} if result is None else result
    if isinstance(node, dict):
        for k, v in node.items():
            key = f"{prefix}.{k}" if prefix else k
            if isinstance(v, dict) and v:
                _flatten_dict(v, key, result)
            elif isinstance(v, list) and any(isinstance(item, dict) for item in v):
                for item in v:
                    if isinstance(item, dict):
                        _flatten_dict(item, key, result)
                    else:
                        _merge(result, key, item)
            else:
                _merge(result, key, v)
    return result


def _is_sns(target: dict[str, Any]) -> bool:
    return parse_arn(target["Arn"]).service == "sns"


def _as_delivered(original_event: dict[str, Any]) -> dict[str, Any]:
    """The event as AWS delivers it: ISO 8601 `time`, no internal keys."""
    event = copy.deepcopy(original_event)
    if isinstance(event.get("time"), (int, float)):
        event["time"] = iso_8601_datetime_without_milliseconds(utcfromtimestamp(event["time"]))
    event.pop("ingestion-time", None)
    return event


def _message(target: dict[str, Any], original_event: dict[str, Any]) -> str:
    """What EventBridge publishes for the event to this target."""
    event = _as_delivered(original_event)
    if "Input" in target:
        return target["Input"]
    if "InputPath" in target:
        from jsonpath_ng.ext import parse

        matches = parse(target["InputPath"]).find(event)
        return json.dumps(matches[0].value if matches else None)
    transformer = target.get("InputTransformer")
    if transformer:
        rendered = EventTemplateParser.parse(
            input_template=transformer.get("InputTemplate"),
            input_paths_map=transformer.get("InputPathsMap", {}),
            event=original_event,
        )
        return rendered if isinstance(rendered, str) else json.dumps(rendered)
    return json.dumps(event)


def _topic_key(topic: Any, account: str, region: str) -> Any | None:
    """The topic's KMS key as moto holds it, or None when it does not resolve."""
    from moto.kms.models import kms_backends

    key_id = topic.kms_master_key_id
    key_region, key_account = region, account
    if key_id.startswith("arn:"):
        arn = parse_arn(key_id)
        key_region, key_account = arn.region, arn.account
    backend = kms_backends[key_account][key_region]
    try:
        return backend.keys.get(backend.any_id_to_key_id(key_id))
    except (KeyError, TypeError, AttributeError):
        return None


def delivery_refusal(rule: Rule, topic_arn: str) -> str | None:
    """Why AWS would not deliver from `rule` to the topic, or None when it would."""
    arn = parse_arn(topic_arn)
    topic = sns_backends[arn.account][arn.region].topics.get(topic_arn)
    if topic is None:
        return "the topic does not exist"
    context = {"aws:SourceAccount": rule.account_id, "aws:SourceArn": rule.arn, "aws:SecureTransport": "true"}
    if not access.allows(topic.policy, EVENTS, "sns:Publish", topic_arn, context):
        return "the topic policy does not let events.amazonaws.com publish"
    if topic.kms_master_key_id:
        key = _topic_key(topic, arn.account, arn.region)
        if key is None or key.key_state != "Enabled":
            return f"the topic's KMS key {topic.kms_master_key_id} is missing or not enabled"
        if key.key_manager == "AWS":
            return "an AWS managed key cannot be used by EventBridge"
        # No aws:Source* keys: AWS does not support them for this call.
        if not access.allows_all(key.policy, EVENTS, KEY_ACTIONS, "*", {"aws:SecureTransport": "true"}):
            return f"the key policy of {key.arn} does not let events.amazonaws.com use the key"
    return None


def _count(rule: Rule, metric: str) -> None:
    from moto.cloudwatch.models import cloudwatch_backends

    cloudwatch_backends[rule.account_id][rule.region_name].put_metric_data(
        "AWS/Events",
        [{"MetricName": metric, "Value": 1, "Unit": "Count", "Dimensions": [{"Name": "RuleName", "Value": rule.name}]}],
    )


def _publish(rule: Rule, target: dict[str, Any], event: dict[str, Any]) -> None:
    _count(rule, "Invocations")
    if delivery_refusal(rule, target["Arn"]) is not None:
        _count(rule, "FailedInvocations")  # AWS counts it; PutEvents itself still succeeds
        return
    arn = parse_arn(target["Arn"])
    sns_backends[arn.account][arn.region].publish(message=_message(target, event), arn=target["Arn"])


def _send_to_targets(self: Rule, original_event: dict[str, Any], transform_input: bool = True) -> None:
    sns_targets = [t for t in self.targets if _is_sns(t)]
    others = [t for t in self.targets if not _is_sns(t)]
    if others or not sns_targets:
        # A shallow copy keeps the rule's own target list intact for concurrent requests.
        rest = copy.copy(self)
        rest.targets = others
        _original_send_to_targets(rest, original_event, transform_input)
    if not sns_targets or not self.event_pattern.matches_event(original_event):
        return
    for target in sns_targets:
        _publish(self, target, original_event)


def install() -> None:
    """Route SNS targets of EventBridge rules to moto's SNS backend; match inside arrays."""
    Rule.send_to_targets = _send_to_targets
    EventPattern._flatten_dict = staticmethod(_flatten_dict)
