"""The monitoring program: SLA-derived alarms, on-call topics, dashboard and ops role, under Pulumi mocks."""

from __future__ import annotations

import json

import pytest
from pulumi.runtime import rpc

from provision.stacks.functions import monitoring, registry
from provision.stacks.verify.policy_documents import privilege_problems
from provision.stacks.functions.monitoring_alarms import OutputRef, alarm_specs, error_budget_percent

ACCOUNT = "111122223333"
ZONES = ("eu-west-1a", "eu-west-1b", "eu-west-1c")
REGION = "eu-west-1"
COMPONENT = "provision:function:Monitoring"
WEB = {"type": "hosting", "provider": "aws", "hosting": {"kind": "static-site"}}
BACKUPS = {"type": "backup", "provider": "aws", "backup": {"protects": ["web"], "rpoHours": 24, "retentionDays": 35}}
NET = {"type": "network", "provider": "aws", "tier": "critical", "network": {"cidr": "10.0.0.0/16", "azs": 3, "nat": True}}
DROP = {"type": "data-exchange", "provider": "claimsco", "dataExchange": {"retentionDays": 30, "sftp": True}}
OPS = {
    "type": "monitoring",
    "provider": "nightwatch",
    "monitoring": {
        "watches": ["web", "backups", "net", "drop"],
        "notify": ["oncall@acme.example"],
        "runbookActions": ["cloudfront:CreateInvalidation", "ec2:RebootInstances"],
    },
}


@pytest.fixture(autouse=True)
def external_ids(monkeypatch) -> None:
    monkeypatch.setenv("NIGHTWATCH_EXTERNAL_ID", "nw-ext-id-1")
    monkeypatch.setenv("CLAIMSCO_EXTERNAL_ID", "cc-ext-id-2")


@pytest.mark.parametrize(
    "sla, tier, threshold",
    [
        ({"availability": 99.9}, "standard", 0.1),
        ({"availability": 99.5}, "standard", 0.5),
        ({"availability": 99.95}, "standard", 0.05),
        ({"availability": 99.9, "errorRatePercent": 2}, "standard", 2.0),
        ({}, "critical", 0.1),
        ({}, "important", 0.5),
        (None, "standard", 1.0),
    ],
)
def test_hosting_5xx_threshold_follows_the_sla(make_plan, sla, tier, threshold) -> None:
    plan = make_plan({"web": {**WEB, "tier": tier, **({"sla": sla} if sla is not None else {})}})
    fn = plan.functions["web"]

    (spec,) = alarm_specs(plan, fn, ACCOUNT)

    assert error_budget_percent(fn) == threshold
    assert (spec.threshold, spec.comparison_operator) == (threshold, "GreaterThanThreshold")
    assert (spec.namespace, spec.metric_name, spec.region) == ("AWS/CloudFront", "5xxErrorRate", "us-east-1")
    assert spec.dimensions == {"DistributionId": OutputRef("distribution_id"), "Region": "Global"}
    assert spec.description == f"web: CloudFront 5xx error rate above {threshold:g} % (SLA)"


def test_backup_alarms_on_failed_jobs_and_on_an_rpo_window_without_a_backup(make_plan) -> None:
    plan = make_plan({"web": WEB, "backups": {**BACKUPS, "backup": {**BACKUPS["backup"], "rpoHours": 6}}})

    failed, rpo = alarm_specs(plan, plan.functions["backups"], ACCOUNT)

    assert (failed.metric_name, failed.threshold, failed.comparison_operator) == (
        "NumberOfBackupJobsFailed",
        0,
        "GreaterThanThreshold",
    )
    assert failed.dimensions == {"BackupVaultName": OutputRef("vault_name")}
    assert (rpo.metric_name, rpo.period, rpo.evaluation_periods, rpo.datapoints_to_alarm) == (
        "NumberOfBackupJobsCompleted",
        3600,
        6,
        6,
    )
    assert (rpo.threshold, rpo.comparison_operator, rpo.treat_missing_data) == (1, "LessThanThreshold", "breaching")


@pytest.mark.parametrize(
    "network, tier, count",
    [({"nat": False}, "critical", 0), ({"nat": True}, "standard", 1), ({"nat": True, "azs": 3}, "critical", 3)],
)
def test_network_alarms_on_each_nat_gateway_it_builds(make_plan, network, tier, count) -> None:
    plan = make_plan({"net": {"type": "network", "provider": "aws", "tier": tier, "network": {"cidr": "10.0.0.0/16", **network}}})

    specs = alarm_specs(plan, plan.functions["net"], ACCOUNT)

    assert [s.dimensions for s in specs] == [{"NatGatewayId": OutputRef("nat_gateway_ids", i)} for i in range(count)]
    assert all((s.metric_name, s.threshold) == ("ErrorPortAllocation", 0) for s in specs)


def test_data_exchange_alarms_on_failed_sftp_transfers_only_with_sftp(make_plan) -> None:
    plan = make_plan({"drop": DROP, "quiet": {**DROP, "dataExchange": {"retentionDays": 30}}})

    (spec,) = alarm_specs(plan, plan.functions["drop"], ACCOUNT)

    assert alarm_specs(plan, plan.functions["quiet"], ACCOUNT) == []
    assert (spec.namespace, spec.metric_name) == ("AWS/Events", "MatchedEvents")
    assert spec.event_pattern["source"] == ["aws.transfer"]
    assert spec.event_pattern["detail-type"] == ["SFTP Server File Upload Failed", "SFTP Server File Download Failed"]
    (prefix,) = spec.event_pattern["detail"]["file-path"]
    assert prefix["prefix"].startswith("/acme-prod-drop-drop-zone-")


def _build_plan(plan):
    """Build the watched functions with their real programs, then the monitoring function."""
    from provision.stacks.functions.base import FunctionContext

    def run():
        peers = {}
        for name, function in plan.functions.items():
            ctx = FunctionContext(plan=plan, function=function, account_id=ACCOUNT, peers=dict(peers), zones=ZONES)
            peers[name] = registry.program_for(function.type).build(ctx)
        return peers["ops"]

    return run


@pytest.fixture
def graph(graph_of, make_plan):
    plan = make_plan({"web": {**WEB, "sla": {"availability": 99.9}}, "backups": BACKUPS, "net": NET, "drop": DROP, "ops": OPS})
    return graph_of(_build_plan(plan))


def _alarms(graph):
    return {name: r for name, r in graph.of("CloudWatchAlarmProvider").items() if name.startswith("ops-")}


def test_one_alarm_per_spec_on_the_watched_resources(graph) -> None:
    alarms = _alarms(graph)

    assert sorted(alarms) == sorted(
        ["ops-web-5xx", "ops-backups-failed-jobs", "ops-backups-rpo", "ops-drop-sftp-failures"]
        + [f"ops-net-nat-{i}-ports" for i in range(3)]
    )
    web = alarms["ops-web-5xx"]
    assert (web["threshold"], web["region"]) == (0.1, "us-east-1")
    assert web["dimensions"] == {"DistributionId": "web-cdn-distribution_id", "Region": "Global"}
    assert alarms["ops-backups-failed-jobs"]["dimensions"] == {"BackupVaultName": graph["backups-vault"]["vault_name"]}
    assert [alarms[f"ops-net-nat-{i}-ports"]["dimensions"] for i in range(3)] == [
        {"NatGatewayId": f"net-nat-{z}-nat_gateway_id"} for z in "abc"
    ]
    assert alarms["ops-web-5xx"]["alarm_name"].startswith("acme-prod-ops-web-5xx-")


def test_alarms_notify_the_oncall_topic_of_their_region(graph) -> None:
    alarms = _alarms(graph)
    home, us_east = "arn:aws:sns:mock:ops-oncall", "arn:aws:sns:mock:ops-oncall-us-east-1"

    assert alarms["ops-web-5xx"]["alarm_actions"] == [us_east]
    assert alarms["ops-web-5xx"]["ok_actions"] == [us_east]
    assert all(a["alarm_actions"] == [home] for name, a in alarms.items() if name != "ops-web-5xx")
    assert graph["ops-oncall-us-east-1"]["region"] == "us-east-1"
    assert graph["ops-oncall-key-us-east-1"]["region"] == "us-east-1"
    assert graph["ops-oncall"].get("region") is None


def test_oncall_topics_are_encrypted_and_reach_notify_and_the_provider_contacts(graph) -> None:
    for suffix in ("", "-us-east-1"):
        topic = graph[f"ops-oncall{suffix}"]
        assert topic["kms_master_key_id"] == f"arn:aws:kms:mock:ops-oncall-key{suffix}"
        assert topic["email_subscriptions"] == ["noc@nightwatch.example", "oncall@acme.example"]
        assert topic["publisher_services"] == ["cloudwatch.amazonaws.com"]
        policy = json.loads(graph[f"ops-oncall-key{suffix}"]["key_policy"])
        alarms = next(s for s in policy["Statement"] if s["Sid"] == "CloudWatchAlarmsPublishToEncryptedTopics")
        assert alarms == {
            "Sid": "CloudWatchAlarmsPublishToEncryptedTopics",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
                "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:*:{ACCOUNT}:alarm:*"},
            },
        }


def test_sftp_failures_are_counted_by_an_eventbridge_rule_the_alarm_watches(graph) -> None:
    rule = graph["ops-drop-sftp-failures-events"]
    alarm = _alarms(graph)["ops-drop-sftp-failures"]
    bucket = graph["drop-drop-zone"]["bucket_name"]

    assert json.loads(rule["event_pattern"])["detail"] == {"file-path": [{"prefix": f"/{bucket}/"}]}
    assert rule["targets"] == {}
    assert alarm["dimensions"] == {"RuleName": rule["name"]}


def test_the_dashboard_shows_every_alarm(graph) -> None:
    body = json.loads(graph["ops-dashboard"]["dashboard_body"])

    assert body["widgets"][0]["properties"]["markdown"] == "# acme-prod (prod)\nOn call for: web, backups, net, drop"
    alarm_widgets = body["widgets"][1:]
    assert sorted(w["properties"]["annotations"]["alarms"][0] for w in alarm_widgets) == sorted(
        f"arn:aws:cloudwatch:mock:{name}" for name in _alarms(graph)
    )
    web = next(w for w in alarm_widgets if w["properties"]["annotations"]["alarms"] == ["arn:aws:cloudwatch:mock:ops-web-5xx"])
    assert web["properties"]["region"] == "us-east-1"


def _secret(value):
    assert isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig, "not a secret"
    return value["value"]


def test_the_ops_role_trusts_the_provider_account_with_its_external_id(graph) -> None:
    role = graph["ops-ops-role"]

    (trust,) = json.loads(_secret(role["assume_role_policy"]))["Statement"]
    assert trust["Principal"] == {"AWS": "arn:aws:iam::210987654321:root"}
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": "nw-ext-id-1"}}
    assert role["max_session_duration"] == 3600
    assert "nw-ext-id-1" not in json.dumps({k: v for k, v in role.items() if k != "assume_role_policy"})


def test_the_ops_role_reads_and_runs_exactly_the_runbook_actions_on_watched_resources(graph) -> None:
    role = graph["ops-ops-role"]
    read = json.loads(role["inline_policies"]["read"])
    runbook = json.loads(role["inline_policies"]["runbook"])

    for doc in (read, runbook):
        assert privilege_problems(doc) == []
    read_actions = {a for s in read["Statement"] for a in s["Action"]}
    assert "s3:GetObject" not in read_actions
    assert {"cloudfront:GetDistribution", "backup:DescribeBackupVault", "transfer:DescribeServer"} <= read_actions
    by_action = {s["Action"][0]: s for s in runbook["Statement"]}
    assert sorted(by_action) == ["cloudfront:CreateInvalidation", "ec2:RebootInstances"]
    assert by_action["cloudfront:CreateInvalidation"]["Resource"] == ["arn:aws:cloudfront:mock:web-cdn"]
    reboot = by_action["ec2:RebootInstances"]
    assert reboot["Resource"] == [f"arn:aws:ec2:{REGION}:{ACCOUNT}:*"]
    assert reboot["Condition"]["StringEquals"]["aws:ResourceTag/provision:function"] == ["backups", "drop", "net", "web"]
    boundary = json.loads(role["permissions_boundary"])
    assert any(s["Effect"] == "Deny" for s in boundary["Statement"])


def test_a_runbook_action_on_a_service_no_watched_function_uses_is_not_granted(graph_of, make_plan) -> None:
    # Found by a generated plan: CreateInvalidation with no hosting watched became cloudfront:* by tags.
    ops = {**OPS, "monitoring": {**OPS["monitoring"], "watches": ["net"]}}
    graph = graph_of(_build_plan(make_plan({"web": WEB, "net": NET, "ops": ops})))
    runbook = json.loads(graph["ops-ops-role"]["inline_policies"]["runbook"])

    assert [s["Action"] for s in runbook["Statement"]] == [["ec2:RebootInstances"]]


def test_runbook_actions_with_nothing_to_act_on_give_no_runbook_policy(graph_of, make_plan) -> None:
    # Found by `make fuzz-e2e` (seeds 1049, 1092): an empty runbook policy, which IAM refuses as malformed.
    ops = {**OPS, "monitoring": {**OPS["monitoring"], "watches": ["net"], "runbookActions": ["cloudfront:CreateInvalidation"]}}
    graph = graph_of(_build_plan(make_plan({"web": WEB, "net": NET, "ops": ops})))

    assert sorted(graph["ops-ops-role"]["inline_policies"]) == ["read"]


def test_an_internal_provider_gets_no_ops_role(graph_of, make_plan) -> None:
    ops = {**OPS, "provider": "aws"}
    graph = graph_of(_build_plan(make_plan({"web": WEB, "ops": {**ops, "monitoring": {**OPS["monitoring"], "watches": ["web"]}}})))

    assert "ops-ops-role" not in graph.resources
    assert "ops_role_arn" not in graph.outputs


# AWS kinds without tags: PutDashboard takes none, and CloudWatch's TagResource does not cover dashboards.
UNTAGGABLE = {"CloudWatchDashboardProvider"}


def test_every_resource_is_a_tagged_child_of_the_monitoring_component(graph) -> None:
    mine = [name for name in graph.resources if name.startswith("ops-")]
    assert mine
    for name in mine:
        assert graph.parent_types[name] == COMPONENT, name
        if graph.providers[name] in UNTAGGABLE:
            assert "tags" not in graph[name], f"{name}: {graph.providers[name]} takes no tags in AWS"
            continue
        tags = graph[name]["tags"]
        assert (tags["provision:plan"], tags["provision:function"], tags["provision:provider"]) == (
            "acme-prod",
            "ops",
            "nightwatch",
        ), name
    assert _alarms(graph)["ops-web-5xx"]["tags"]["provision:watches"] == "web"


def test_a_watched_function_must_be_built_first(make_plan, ctx_for) -> None:
    plan = make_plan({"web": WEB, "ops": {**OPS, "monitoring": {**OPS["monitoring"], "watches": ["web"]}}})

    with pytest.raises(ValueError, match="^monitoring function 'ops' watches 'web', which has not been built$"):
        monitoring.watched_functions(ctx_for(plan, "ops"))


WATCHABLE_SHAPES = [
    {"type": "hosting", "provider": "aws", "hosting": {"kind": "static-site"}},
    {"type": "backup", "provider": "aws", "backup": {"protects": [], "rpoHours": 24, "retentionDays": 35}},
    {"type": "network", "provider": "aws", "network": {"cidr": "10.0.0.0/16"}},
    {"type": "network", "provider": "aws", "network": {"cidr": "10.0.0.0/16", "nat": True}},
    {"type": "data-exchange", "provider": "aws", "dataExchange": {"retentionDays": 30, "partners": ["claimsco"]}},
    {"type": "data-exchange", "provider": "aws", "dataExchange": {"retentionDays": 30, "partners": ["claimsco"], "sftp": True}},
    {"type": "security-monitoring", "provider": "aws",
     "securityMonitoring": {"services": ["guardduty"], "alerts": {"minSeverity": "high", "notify": ["soc@acme.example"]}}},
]  # fmt: skip


@pytest.mark.parametrize("shape", WATCHABLE_SHAPES, ids=lambda s: f"{s['type']}-{len(json.dumps(s))}")
def test_a_watched_function_gets_alarms_exactly_when_no_gap_is_reported(make_plan, account_id, shape) -> None:
    """The derivation and the advisory PRV-MON-001 agree: no function is unwatched in silence."""
    from provision.stacks.functions.monitoring_alarms import alarm_regions, alarm_specs, watch_gap

    plan = make_plan({"watched": shape})
    watched = plan.functions["watched"]
    specs = alarm_specs(plan, watched, account_id)

    assert (watch_gap(watched) is None) == bool(specs)
    assert alarm_regions(plan, watched) == {s.region for s in specs if s.region} - {plan.region}
