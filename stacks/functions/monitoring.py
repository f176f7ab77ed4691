"""The monitoring function (operations outsourcing): alarms from SLAs, a dashboard, on-call.

From the function's `monitoring` section:
- for every function it `watches`, CloudWatch alarms derived from that
  function's type and SLA (stacks.functions.monitoring_alarms), on the
  watched function's own resources;
- an on-call SNS topic, KMS-encrypted, that `notify` and the provider's
  contacts subscribe to; alarms notify on ALARM and on recovery. Alarms
  notify topics of their own region, so a region with alarms (CloudFront's
  metrics live in us-east-1) gets its own topic and key;
- a dashboard of those alarms;
- for an external provider, an operations role its account assumes (with its
  ExternalId, one-hour sessions): read-only on the watched functions plus
  exactly `runbookActions` (stacks.functions.monitoring_access), capped by a
  guard-rail permissions boundary.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import pulumi

from provision.schemas.model import Function
from provision.stacks.functions.base import FunctionComponent, FunctionContext
from provision.stacks.functions.iam_policies import Scope, document, guard_rail_boundary
from provision.stacks.functions.monitoring_access import read_statements, runbook_statements, watched_arns
from provision.stacks.functions.monitoring_alarms import AlarmSpec, OutputRef, alarm_specs
from provision.stacks.functions.vendor_trust import MAX_SESSION_SECONDS, SECRET_TRUST, vendor_trust_policy
from provision.stacks.providers.cloudwatch_alarm import CloudWatchAlarm
from provision.stacks.providers.cloudwatch_dashboard import CloudWatchDashboard
from provision.stacks.providers.eventbridge_rule import EventBridgeRule
from provision.stacks.providers.iam_role import IamRole
from provision.stacks.providers.kms_key import KmsKey, key_policy
from provision.stacks.providers.sns_topic import SnsTopic

ALARMS_SERVICE = "cloudwatch.amazonaws.com"
WIDGET_WIDTH, WIDGET_HEIGHT = 12, 6


def watched_functions(ctx: FunctionContext) -> list[Function]:
    """The watched functions, each already built (its component is a peer)."""
    watched = []
    for name in ctx.function.settings["watches"]:
        if name not in ctx.peers:
            raise ValueError(f"monitoring function '{ctx.function.name}' watches '{name}', which has not been built")
        watched.append(ctx.plan.functions[name])
    return watched


def recipients(ctx: FunctionContext) -> list[str]:
    """Who is on call: the plan's `notify` addresses and the provider's contacts."""
    return sorted(set(ctx.function.settings["notify"]) | set(ctx.plan.provider_of(ctx.function).contacts))


def build(ctx: FunctionContext) -> FunctionComponent:
    fn = ctx.function.name
    component = FunctionComponent(ctx.function)
    opts = ctx.resource_opts(component)
    watched = watched_functions(ctx)
    specs = [spec for w in watched for spec in alarm_specs(ctx.plan, w, ctx.account_id)]

    regions = sorted({ctx.region} | {spec.region for spec in specs if spec.region})
    topics = {region: _oncall_topic(ctx, region, opts) for region in regions}
    alarms = {spec.key: _alarm(ctx, spec, topics[spec.region or ctx.region], opts) for spec in specs}
    dashboard = CloudWatchDashboard(
        f"{fn}-dashboard",
        dashboard_name=ctx.physical_name("ops", kind="dashboard"),
        dashboard_body=dashboard_body(ctx, specs, {k: a.arn for k, a in alarms.items()}),
        opts=opts,
    )
    outputs: dict[str, Any] = {
        "topic_arn": topics[ctx.region].arn,
        "topic_arns": {region: topic.arn for region, topic in topics.items()},
        "alarms": {key: alarm.arn for key, alarm in alarms.items()},
        "alarm_arns": [alarm.arn for alarm in alarms.values()],
        "dashboard_name": dashboard.id,
    }
    provider = ctx.plan.provider_of(ctx.function)
    if provider.external:
        outputs["ops_role_arn"] = _ops_role(ctx, watched, [a.arn for a in alarms.values()], opts).arn
    return component.finish(**outputs)


def _oncall_topic(ctx: FunctionContext, region: str, opts: pulumi.ResourceOptions) -> SnsTopic:
    fn, tags = ctx.function.name, ctx.tags()
    home = region == ctx.region
    suffix = "" if home else f"-{region}"
    key = KmsKey(
        f"{fn}-oncall-key{suffix}",
        description=f"On-call notifications of {ctx.plan.name}/{fn} ({region})",
        # CloudWatch encrypts the notifications it publishes with this key.
        key_policy=key_policy(ctx.account_id, [ALARMS_SERVICE], partition=ctx.partition),
        alias=f"alias/{ctx.physical_name('oncall' + suffix, kind='kms-alias')}",
        region=region,
        tags=tags,
        opts=opts,
    )
    return SnsTopic(
        f"{fn}-oncall{suffix}",
        name=ctx.physical_name("oncall" + suffix, kind="sns-topic"),
        kms_master_key_id=key.arn,
        publisher_services=[ALARMS_SERVICE],
        email_subscriptions=recipients(ctx),
        tags=tags,
        region=None if home else region,
        opts=opts,
    )


def _resolve(value: str | OutputRef, outputs: Mapping[str, Any]) -> pulumi.Input[str]:
    if not isinstance(value, OutputRef):
        return value
    found = outputs[value.key]
    if value.index is None:
        return found
    return pulumi.Output.from_input(found).apply(lambda items, i=value.index: items[i])


def _alarm(ctx: FunctionContext, spec: AlarmSpec, topic: SnsTopic, opts: pulumi.ResourceOptions) -> CloudWatchAlarm:
    fn, tags = ctx.function.name, ctx.tags(**{"provision:watches": spec.watched})
    outputs = ctx.peers[spec.watched].outputs
    dimensions = {name: _resolve(value, outputs) for name, value in spec.dimensions.items()}
    if spec.event_pattern is not None:
        rule_name = ctx.physical_name(spec.key, kind="eventbridge-rule")
        EventBridgeRule(
            f"{fn}-{spec.key}-events",
            name=rule_name,
            description=spec.description,
            event_pattern=spec.event_pattern,
            # Nothing to deliver: the alarm counts the rule's matches and notifies.
            targets={},
            tags=tags,
            opts=opts,
        )
        dimensions["RuleName"] = rule_name
    return CloudWatchAlarm(
        f"{fn}-{spec.key}",
        alarm_name=ctx.physical_name(spec.key, kind="alarm"),
        alarm_description=spec.description,
        namespace=spec.namespace,
        metric_name=spec.metric_name,
        dimensions=dimensions,
        statistic=spec.statistic,
        period=spec.period,
        evaluation_periods=spec.evaluation_periods,
        datapoints_to_alarm=spec.datapoints_to_alarm,
        threshold=spec.threshold,
        comparison_operator=spec.comparison_operator,
        treat_missing_data=spec.treat_missing_data,
        alarm_actions=[topic.arn],
        ok_actions=[topic.arn],
        region=spec.region,
        tags=tags,
        opts=opts,
    )


def dashboard_body(
    ctx: FunctionContext, specs: Sequence[AlarmSpec], alarm_arns: Mapping[str, pulumi.Input[str]]
) -> dict[str, Any]:
    """A text header, then one alarm widget per alarm, two per row."""
    watched = ", ".join(ctx.function.settings["watches"])
    widgets: list[dict[str, Any]] = [
        {
            "type": "text",
            "x": 0,
            "y": 0,
            "width": 2 * WIDGET_WIDTH,
            "height": 2,
            "properties": {"markdown": f"# {ctx.plan.name} ({ctx.plan.environment})\nOn call for: {watched}"},
        }
    ]
    for i, spec in enumerate(specs):
        widgets.append(
            {
                "type": "metric",
                "x": (i % 2) * WIDGET_WIDTH,
                "y": 2 + (i // 2) * WIDGET_HEIGHT,
                "width": WIDGET_WIDTH,
                "height": WIDGET_HEIGHT,
                "properties": {
                    "title": spec.description,
                    "region": spec.region or ctx.region,
                    "annotations": {"alarms": [alarm_arns[spec.key]]},
                    "view": "timeSeries",
                },
            }
        )
    return {"widgets": widgets}


def _ops_role(
    ctx: FunctionContext, watched: Sequence[Function], alarm_arns: Sequence[pulumi.Output[str]], opts: pulumi.ResourceOptions
) -> IamRole:
    scope = Scope(plan=ctx.plan, account_id=ctx.account_id, region=ctx.region)
    actions = list(ctx.function.settings.get("runbookActions", ()))
    names = [w.name for w in watched]
    peer_outputs = pulumi.Output.from_input({w.name: dict(ctx.peers[w.name].outputs) for w in watched})
    statements = pulumi.Output.all(peer_outputs, alarm_arns).apply(
        lambda args: {
            "read": read_statements(watched, args[0], args[1], scope),
            "runbook": runbook_statements(actions, names, watched_arns(args[0]), scope),
        }
    )
    # No runbook policy when no action has anything to act on: IAM refuses a policy without statements.
    inline = statements.apply(
        lambda s: {"read": document(s["read"]), **({"runbook": document(s["runbook"])} if s["runbook"] else {})}
    )
    provider = ctx.plan.provider_of(ctx.function)
    return IamRole(
        f"{ctx.function.name}-ops-role",
        role_name=ctx.physical_name("ops", kind="iam-role"),
        assume_role_policy=vendor_trust_policy(provider, ctx.external_ids.get(provider.name)),
        description=f"{provider.name} operates {', '.join(names)} of {ctx.plan.name}: read-only plus runbook actions",
        max_session_duration=MAX_SESSION_SECONDS,
        permissions_boundary=statements.apply(lambda s: guard_rail_boundary(s["read"] + s["runbook"])),
        inline_policies=inline,
        tags=ctx.tags(),
        opts=pulumi.ResourceOptions.merge(opts, SECRET_TRUST),
    )
