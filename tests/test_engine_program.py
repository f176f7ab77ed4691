"""Compiling a plan into its program: functions in dependency order."""

from __future__ import annotations

import pytest

from provision.schemas.model import build_plan
from provision.stacks.program import build_order, dependencies


def plan_with(functions: dict) -> object:
    return build_plan(
        {
            "apiVersion": "provision/v1",
            "kind": "OutsourcingPlan",
            "metadata": {"name": "order-check", "owner": "ops@example.com"},
            "spec": {
                "environment": "dev",
                "region": "eu-west-1",
                "dataResidency": "eu",
                "providers": {"aws": {"type": "cloud"}},
                "functions": {name: {"provider": "aws", **body} for name, body in functions.items()},
            },
        }
    )


def names(plan) -> list[str]:
    return [f.name for f in build_order(plan)]


def test_backup_and_monitoring_come_after_what_they_cover() -> None:
    plan = plan_with(
        {
            "ops": {"type": "monitoring", "monitoring": {"watches": ["web", "vault"], "notify": ["o@example.com"]}},
            "vault": {"type": "backup", "backup": {"protects": ["web", "files"], "rpoHours": 24, "retentionDays": 35}},
            "web": {"type": "hosting", "hosting": {"kind": "static-site"}},
            "net": {"type": "network", "network": {"cidr": "10.0.0.0/16"}},
            "files": {"type": "data-exchange", "dataExchange": {"retentionDays": 30}},
        }
    )
    assert names(plan) == ["web", "net", "files", "vault", "ops"]
    assert dependencies(plan.functions["vault"]) == ["web", "files"]
    assert dependencies(plan.functions["web"]) == []


def test_plan_order_is_kept_when_nothing_depends() -> None:
    plan = plan_with(
        {
            "b": {"type": "hosting", "hosting": {"kind": "static-site"}},
            "a": {"type": "network", "network": {"cidr": "10.0.0.0/16"}},
        }
    )
    assert names(plan) == ["b", "a"]


def test_a_cycle_is_refused() -> None:
    plan = plan_with(
        {
            "watch": {"type": "monitoring", "monitoring": {"watches": ["keep"], "notify": ["o@example.com"]}},
            "keep": {"type": "backup", "backup": {"protects": ["watch"], "rpoHours": 24, "retentionDays": 35}},
        }
    )
    with pytest.raises(ValueError, match="functions depend on each other in a cycle: watch, keep"):
        build_order(plan)
