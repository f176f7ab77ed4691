"""A function type registered in one module (queue_type) is seen everywhere a type matters:
the schema, `provision validate`, the program, `provision cost` and verify coverage."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from provision.cli.main import cli
from provision.schemas import function_types
from provision.schemas.loader import load_document
from provision.schemas.model import build_plan
from provision.schemas.schema_check import check_schema, schema_text
from provision.stacks.program import build_program
from provision.stacks.verify.coverage import coverage, expected_kinds
from provision.stacks.verify.model import LiveResource
from tests.architecture.queue_type import MESSAGE_QUEUE
from tests.functions.conftest import build_graph

PLAN = """\
apiVersion: provision/v1
kind: OutsourcingPlan
metadata: {name: queues, owner: platform@example.com}
spec:
  environment: dev
  region: eu-west-1
  dataResidency: eu
  budget: {monthlyUSD: 100}
  providers:
    aws: {type: cloud}
  functions:
    orders:
      type: message-queue
      provider: aws
      messageQueue: {retentionDays: 7}
"""
ACCOUNT = "111122223333"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def queue_type():
    with function_types.registered(MESSAGE_QUEUE):
        yield MESSAGE_QUEUE


@pytest.fixture
def plan_file(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()  # stops the search for provision-policies.yaml here
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "queues.yaml"
    path.write_text(PLAN, encoding="utf-8")
    return path


def _errors(text: str) -> list[tuple[int, int, str, str]]:
    return [(f.line, f.column, f.message, f.fix) for f in check_schema(load_document(text))]


def test_the_schema_accepts_the_registered_type_and_checks_its_section(queue_type):
    assert _errors(PLAN) == []
    assert _errors(PLAN.replace("retentionDays: 7", "retentionDays: 30")) == [
        (15, 37, "`spec.functions.orders.messageQueue.retentionDays` is 30, out of range.", "Use a value from 1 to 14."),
    ]
    assert _errors(PLAN.replace("messageQueue: {retentionDays: 7}", "hosting: {kind: static-site}")) == [
        (12, 5, "`spec.functions.orders` is a `message-queue` function, so it needs a `messageQueue:` section.",
         "Add `messageQueue:` under `spec.functions.orders`."),
        (15, 7, "`spec.functions.orders` is a `message-queue` function: it takes only the `messageQueue:` section, "
         "not `hosting:`.", "Remove `hosting:`, or set `type: hosting` if this function should be one."),
    ]
    # A built-in type may not carry the new section either.
    hosting = PLAN.replace("type: message-queue", "type: hosting").replace(
        "messageQueue: {retentionDays: 7}", "hosting: {kind: static-site}\n      messageQueue: {retentionDays: 7}")
    assert _errors(hosting) == [
        (16, 7, "`spec.functions.orders` is a `hosting` function: it takes only the `hosting:` section, "
         "not `messageQueue:`.", "Remove `messageQueue:`, or set `type: message-queue` if this function should be one."),
    ]
    published = json.loads(schema_text())["$defs"]["function"]
    assert published["properties"]["type"]["enum"][-1] == "message-queue"
    assert published["properties"]["messageQueue"]["required"] == ["retentionDays"]


def test_validate_passes_a_plan_using_it(queue_type, plan_file):
    result = CliRunner().invoke(cli, ["validate", plan_file.name])
    assert result.output.endswith("PASSED: 0 errors, 0 mandatory, 0 advisory, 0 waived in 1 file\n"), result.output
    assert result.exit_code == 0


def test_without_registration_the_same_plan_is_invalid(plan_file):
    assert "message-queue" not in function_types.names()
    assert schema_text() == (REPO / "schemas" / "outsourcing-plan.v1.json").read_text(encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", plan_file.name])
    assert result.exit_code != 0
    assert "`spec.functions.orders.type` is `message-queue`, which is not one of the allowed values." in result.output


def test_the_program_builds_it(queue_type):
    plan = build_plan(load_document(PLAN).data)
    # The stack's whole inline program, as `provision apply` runs it, under Pulumi mocks.
    graph = build_graph(lambda: build_program(plan, ACCOUNT)() or {})
    assert graph.components == {"orders": "provision:function:MessageQueue", "budgets": "provision:plan:Budgets"}
    assert graph.providers == {"orders-queue": "SnsTopicProvider", "budget-plan": "BudgetProvider"}
    assert graph["orders-queue"]["tags"]["provision:function"] == "orders"


def test_cost_includes_its_line_items(queue_type, plan_file):
    result = CliRunner().invoke(cli, ["cost", plan_file.name, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["functions"] == [
        {
            "function": "orders",
            "type": "message-queue",
            "monthlyUSD": 1.32,
            "budgetUSD": None,
            "overBudget": False,
            "items": {"queue storage": 0.32, "queue notifications": 1.0},
        }
    ]


def test_verify_coverage_expects_its_kinds(queue_type):
    plan = build_plan(load_document(PLAN).data)
    assert expected_kinds(plan.functions["orders"]) == ["SnsTopic"]
    topic = LiveResource(urn="urn:topic", name="orders-queue", kind="SnsTopic", function="orders", id="topic-id")
    assert [(r.resource, r.passed, r.detail) for r in coverage(plan, [topic])] == [
        ("function orders", True, "1 resources"),
    ]
    key = LiveResource(urn="urn:key", name="orders-key", kind="KmsKey", function="orders", id="key-id")
    assert [(r.resource, r.passed, r.detail) for r in coverage(plan, [key])] == [
        ("function orders", False, "no SnsTopic in the stack (message-queue)"),
    ]


def test_a_type_cannot_take_a_used_name_or_section_nor_remove_a_built_in():
    with pytest.raises(ValueError, match="function type 'hosting' is already registered"):
        function_types.register(dataclasses.replace(MESSAGE_QUEUE, name="hosting"))
    with pytest.raises(ValueError, match="section 'dataExchange' is already taken"):
        function_types.register(dataclasses.replace(MESSAGE_QUEUE, section="dataExchange"))
    with pytest.raises(ValueError, match="'backup' is a built-in function type"):
        function_types.unregister("backup")
    assert "message-queue" not in function_types.names()


def test_the_built_in_declarations_match_the_published_schema():
    published = json.loads((REPO / "schemas" / "outsourcing-plan.v1.json").read_text(encoding="utf-8"))
    function = published["$defs"]["function"]
    assert function["properties"]["type"]["enum"] == list(function_types.names())
    assert [b["then"]["required"] for b in function["allOf"]] == [[t.section] for t in function_types.all_types()]


def test_monitoring_says_why_it_cannot_alarm_on_a_type_declaring_no_alarms(queue_type):
    from provision.stacks.functions.monitoring_alarms import alarm_specs, watch_gap

    plan = build_plan(load_document(PLAN).data)
    orders = plan.functions["orders"]
    assert alarm_specs(plan, orders, ACCOUNT) == []
    assert watch_gap(orders) == "it publishes no metric of its own health"
