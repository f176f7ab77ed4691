"""Drift reports from refresh events, and `provision drift` without a deployment: tables of exact outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pulumi.automation.events import EngineEvent

from provision.cli.commands.drift import drift_document, render_drift
from provision.cli.main import cli
from provision.schemas.model import build_plan
from provision.schemas.loader import load_document
from provision.stacks.engine.drift import DriftCollector, PropertyDrift
from tests.examples import write_exit_plan

STACK = "urn:pulumi:test::acme::pulumi:pulumi:Stack::acme-test"
WEB = "urn:pulumi:test::acme::provision:function:Hosting::web"
SITE = "urn:pulumi:test::acme::provision:function:Hosting$pulumi-python:dynamic:Resource::web-site"
LOGS = "urn:pulumi:test::acme::provision:function:Hosting$pulumi-python:dynamic:Resource::web-logs"
ROLE = "urn:pulumi:test::acme::pulumi-python:dynamic:Resource::vendor-access"
REPO = Path(__file__).resolve().parents[2]

TAGS = {"provision:plan": "acme", "provision:function": "web"}
SITE_RECORDED = {"bucket_name": "site", "block_public_access": True, "tags": TAGS, "__provider": "blob"}


def event(kind: str, op: str, urn: str, parent: str, old: dict | None = None, new: dict | None = None,
          custom: bool = True) -> EngineEvent:
    rtype = urn.split("::")[2].rsplit("$", 1)[-1]
    meta: dict[str, Any] = {"op": op, "urn": urn, "type": rtype, "provider": ""}
    for side, outputs in (("old", old), ("new", new)):
        if outputs is not None or side == "new":
            meta[side] = {"type": rtype, "urn": urn, "parent": parent, "custom": custom, "outputs": outputs or {}}
    key = {"pre": "resourcePreEvent", "out": "resOutputsEvent"}[kind]
    return EngineEvent.from_json({"sequence": 1, "timestamp": 0, key: {"metadata": meta}})


def refresh_events() -> list[EngineEvent]:
    """A refresh as the engine reports it: children may come before their component."""
    site_live = {**SITE_RECORDED, "block_public_access": False, "__provider": "other-blob"}
    logs_live = {"bucket_name": "logs", "tags": {"provision:plan": "acme", "team": "x"}}
    return [
        event("pre", "refresh", SITE, WEB, SITE_RECORDED, SITE_RECORDED),
        event("out", "update", SITE, WEB, SITE_RECORDED, site_live),
        event("pre", "refresh", WEB, STACK, custom=False),
        event("out", "update", LOGS, WEB, {"bucket_name": "logs", "tags": TAGS}, logs_live),
        event("out", "delete", ROLE, STACK, {"role_name": "r"}, {"role_name": "r"}),
        event("out", "same", "urn:pulumi:test::acme::pulumi-python:dynamic:Resource::budget", STACK, {"a": 1}, {"a": 1}),
        # The engine reports an update when only its own keys moved: no drift.
        event("out", "update", "urn:pulumi:test::acme::pulumi-python:dynamic:Resource::key", STACK,
              {"__provider": "a"}, {"__provider": "b"}),
    ]


def report():
    collector = DriftCollector()
    for item in refresh_events():
        collector(item)
    return collector.report()


def test_refresh_events_become_deleted_and_changed_resources_with_properties() -> None:
    found = report()
    assert found.unchanged == 2
    assert [(d.name, d.function, d.status, [p.name for p in d.properties]) for d in found.drifted] == [
        ("web-logs", "web", "changed", ["tags"]),
        ("web-site", "web", "changed", ["block_public_access"]),
        ("vendor-access", None, "deleted", []),
    ]


@pytest.mark.parametrize(
    ("recorded", "live", "line"),
    [
        (True, False, "p: true -> false"),
        ("arn:aws:kms:eu-west-1:1:key/k", None, "p: arn:aws:kms:eu-west-1:1:key/k -> (none)"),
        ({"a": "1", "b": "2"}, {"b": "3", "c": "4"}, "p: removed a; added c; changed b (2 -> 3)"),
        (["x"], ["x", "y"], "p: [x] -> [x, y]"),
        ("{" + "x" * 200 + "}", "{}", "p: changed"),
        (90, 30, "p: 90 -> 30"),
    ],
)
def test_a_property_change_reads_like_the_plan(recorded: Any, live: Any, line: str) -> None:
    assert PropertyDrift("p", recorded, live).describe() == line


def _plan():
    text = (REPO / "examples" / "saas-startup.yaml").read_text()
    return build_plan(load_document(text).data)


def test_the_text_report_groups_by_function_and_says_how_to_repair() -> None:
    assert render_drift(_plan(), report(), "acme/test on target sandbox", Path("plans/acme.yaml")) == (
        "Drift in acme/test on target sandbox: 3 of 5 resource(s) changed outside provision.\n"
        "\n"
        "web (hosting)\n"
        "   ~ changed  web-logs\n"
        "        tags: removed provision:function; added team\n"
        "   ~ changed  web-site\n"
        "        block_public_access: true -> false\n"
        "(plan-level: vendor access, budgets)\n"
        "   - deleted  vendor-access\n"
        "\n"
        "Run `provision apply plans/acme.yaml` to restore what the plan declares.\n"
    )


def test_the_json_report_has_a_summary_and_every_property() -> None:
    document = drift_document(_plan(), report(), "sandbox")
    assert {k: document[k] for k in ("kind", "target", "drifted", "summary")} == {
        "kind": "Drift", "target": "sandbox", "drifted": True, "summary": {"deleted": 1, "changed": 2, "unchanged": 2}
    }
    site = next(r for r in document["resources"] if r["resource"] == "web-site")
    assert site["properties"] == [{"name": "block_public_access", "recorded": True, "live": False}]


def test_no_drift_is_one_line() -> None:
    collector = DriftCollector()
    collector(event("out", "same", SITE, WEB, SITE_RECORDED, SITE_RECORDED))
    assert render_drift(_plan(), collector.report(), "acme/test", Path("p.yaml")) == (
        "No drift: the 1 resource(s) of acme/test match what provision last applied.\n"
    )


@pytest.mark.parametrize(
    ("plan_text", "expected", "code"),
    [
        ((REPO / "examples" / "saas-startup.yaml").read_text(),
         "Error: Nothing of brightdesk-prod/prod is deployed: the sandbox is not running. "
         "Run `provision apply {plan}` first.\n", 1),
        ("apiVersion: provision/v1\nkind: OutsourcingPlan\n",
         "is not a valid plan; nothing was provisioned.\n", 1),  # invalid: 1, since 2 means drift
    ],
)
def test_drift_without_a_deployment_is_an_error(tmp_path: Path, plan_text: str, expected: str, code: int) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(plan_text)
    write_exit_plan(tmp_path, "nightwatch")  # the example's exit plan must exist beside it
    result = CliRunner().invoke(cli, ["drift", str(plan), "--state-dir", str(tmp_path / "state")])
    assert result.exit_code == code, result.output
    assert result.output.endswith(expected.format(plan=plan))


def test_help_documents_the_exit_codes() -> None:
    result = CliRunner().invoke(cli, ["drift", "--help"])
    assert result.exit_code == 0
    assert "0  no drift" in result.output and "2  drift found" in result.output


@pytest.mark.parametrize("rtype", ["pulumi-python:dynamic/aws:RouteTable", "pulumi-python:dynamic:Resource"])
def test_set_like_properties_in_another_order_are_no_drift(rtype) -> None:
    """Regression: a route table's subnets read back in AWS's order made drift exit 2 right after apply."""
    urn = f"urn:pulumi:test::acme::provision:function:Network${rtype}::net-public-rt"
    recorded = {"vpc_id": "vpc-1", "route_table_id": "rtb-1", "subnet_ids": ["subnet-b", "subnet-a"], "routes": []}
    reordered = {**recorded, "subnet_ids": ["subnet-a", "subnet-b"]}
    dropped = {**recorded, "subnet_ids": ["subnet-a"]}
    net = "urn:pulumi:test::acme::provision:function:Network::net"

    collector = DriftCollector()
    collector(event("out", "update", urn, net, recorded, reordered))
    assert collector.report().drifted == []

    collector = DriftCollector()
    collector(event("out", "update", urn, net, recorded, dropped))
    [drifted] = collector.report().drifted
    assert [p.describe() for p in drifted.properties] == ["subnet_ids: [subnet-b, subnet-a] -> [subnet-a]"]


ROOT = "arn:aws:iam::210987654321:root"
GUARDED = {
    "Action": "sts:AssumeRole",
    "Condition": {"StringEquals": {"sts:ExternalId": "[secret]"}},
    "Effect": "Allow",
    "Principal": {"AWS": ROOT},
}
# What the engine's events carry for a secret, whatever its value.
SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "[secret]"}


def _trust(*statements) -> str:
    return json.dumps({"Statement": list(statements), "Version": "2012-10-17"}, sort_keys=True)


@pytest.mark.parametrize(
    ("live", "line"),
    [
        (
            _trust(GUARDED, {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": "*"}),
            'assume_role_policy (secrets masked): added statement {"Action": "sts:AssumeRole", "Effect": "Allow", '
            '"Principal": "*"}',
        ),
        (
            _trust({k: v for k, v in GUARDED.items() if k != "Condition"}),
            'assume_role_policy (secrets masked): statement {"Action": "sts:AssumeRole", "Effect": "Allow"} '
            'removed Condition {"StringEquals": {"sts:ExternalId": "[secret]"}}',
        ),
        (
            _trust({**GUARDED, "Condition": {"StringEquals": {"sts:ExternalId": "[secret, changed]"}}}),
            'assume_role_policy (secrets masked): statement {"Action": "sts:AssumeRole", "Effect": "Allow"} '
            'changed Condition ({"StringEquals": {"sts:ExternalId": "[secret]"}} -> '
            '{"StringEquals": {"sts:ExternalId": "[secret, changed]"}})',
        ),
    ],
)
def test_a_secret_trust_policy_changed_out_of_band_is_drift_with_the_secret_masked(live: str, line: str) -> None:
    """Regression: the trust policy itself is "[secret]" on both sides, so drift said "No drift"."""
    role = "urn:pulumi:test::acme::pulumi-python:dynamic/aws:IamRole::vendor-access-nightwatch"
    recorded = {"role_name": "r", "assume_role_policy": SECRET, "assume_role_policy_masked": _trust(GUARDED)}
    collector = DriftCollector()
    collector(event("out", "update", role, STACK, recorded, {**recorded, "assume_role_policy_masked": live}))

    [drifted] = collector.report().drifted
    assert [p.describe() for p in drifted.properties] == [line]


def test_a_stack_deployed_before_masked_copies_existed_is_not_drift() -> None:
    role = "urn:pulumi:test::acme::pulumi-python:dynamic/aws:IamRole::vendor-access-nightwatch"
    recorded = {"role_name": "r", "assume_role_policy": SECRET}
    collector = DriftCollector()
    collector(event("out", "update", role, STACK, recorded, {**recorded, "assume_role_policy_masked": _trust(GUARDED)}))

    assert collector.report().drifted == []


def test_a_plain_setting_reports_its_own_change_not_its_masked_copy_too() -> None:
    """A service role's trust policy holds no secret: it is compared itself, once."""
    role = "urn:pulumi:test::acme::pulumi-python:dynamic/aws:IamRole::web-flow-logs-role"
    service = _trust({"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}})
    widened = _trust({"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": "*"})
    recorded = {"role_name": "r", "assume_role_policy": service, "assume_role_policy_masked": service}
    collector = DriftCollector()
    collector(event("out", "update", role, STACK, recorded,
                    {**recorded, "assume_role_policy": widened, "assume_role_policy_masked": widened}))

    [drifted] = collector.report().drifted
    assert [p.name for p in drifted.properties] == ["assume_role_policy"]

