"""The whole program under mocks: every physical name comes from the name book and is recorded,
and validate's offline catalogue (schemas.plan_names) names exactly what the stacks make."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pytest

from provision.schemas.loader import load_document
from provision.schemas.model import build_plan
from provision.schemas.naming import RECORD_OUTPUT, NameBook
from provision.schemas.plan_names import plan_names
from provision.stacks.program import build_program

REPO = Path(__file__).resolve().parents[2]
ACCOUNT = "111122223333"
# Inputs that hold a physical name (flow-log groups and SFTP users are named by their function and partner).
NAME_INPUTS = ("bucket_name", "role_name", "name", "vault_name", "plan_name", "dashboard_name", "alarm_name",
               "budget_name", "alias")


def run_program(graph_of, monkeypatch, plan, names: NameBook | None = None):
    exported: dict = {}
    monkeypatch.setattr(pulumi, "export", lambda key, value: exported.__setitem__(key, value))
    zones = tuple(f"{plan.region}{letter}" for letter in "abcdef")
    program = build_program(plan, ACCOUNT, external_ids={p: "example-external-id" for p in plan.providers},
                            names=names, zones=zones)

    def build():
        program()
        return {}

    return graph_of(build), exported


@pytest.fixture(params=["saas-startup", "eu-fintech", "us-healthcare"])
def plan(request):
    return build_plan(load_document(REPO / f"examples/{request.param}.yaml").data)


def test_every_physical_name_is_recorded_and_known_offline(graph_of, monkeypatch, plan) -> None:
    graph, exported = run_program(graph_of, monkeypatch, plan)
    recorded = set(exported[RECORD_OUTPUT].values())

    named = {str(inputs[key]).removeprefix("alias/")
             for inputs in graph.resources.values() for key in NAME_INPUTS if isinstance(inputs.get(key), str)}
    assert named and named <= recorded
    offline = {entry.name for entry in plan_names(plan, ACCOUNT) if entry.kind != "transfer-user"}
    assert offline and offline <= recorded


def test_a_recorded_name_is_what_the_resource_gets(graph_of, monkeypatch, make_plan) -> None:
    plan = make_plan({"web": {"type": "hosting", "provider": "aws", "hosting": {"kind": "static-site"}}})
    kept = NameBook(recorded={"s3-bucket:web:site": "acme-prod-prod-web-site-1b7d0a6f"})

    graph, exported = run_program(graph_of, monkeypatch, plan, kept)

    assert graph["web-site"]["bucket_name"] == "acme-prod-prod-web-site-1b7d0a6f"
    assert exported[RECORD_OUTPUT]["s3-bucket:web:site"] == "acme-prod-prod-web-site-1b7d0a6f"
    assert graph["web-logs"]["bucket_name"] == exported[RECORD_OUTPUT]["s3-bucket:web:logs"] == "acme-prod-web-logs-72af6670"
