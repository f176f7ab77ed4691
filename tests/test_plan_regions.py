"""Every region a plan puts resources in, and why: listed by `provision plan`, judged by PRV-RES-001 where data goes."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from provision.cli.commands.plan import regions_document
from provision.cli.stack_render import render_changes
from provision.policies.residency import regions_used
from provision.validation.pipeline import load_plan

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _example(name: str):
    plan, report = load_plan(EXAMPLES / name)
    assert plan is not None, report.findings
    return plan


def test_an_eu_plan_shows_the_us_east_1_it_uses_for_metadata() -> None:
    """Regression: monitoring put an on-call topic and key in us-east-1 that neither plan nor diff mentioned."""
    plan = _example("eu-fintech.yaml")
    unchanged = SimpleNamespace(has_changes=False, counts=lambda: {"same": 40})

    assert render_changes(plan, unchanged, "sandbox") == (
        "Plan ledgerly-prod (prod) on target sandbox:\n"
        "\n"
        "Regions:\n"
        "  eu-central-1: home region: every function's resources\n"
        "  eu-west-1: backup copies of 'backups'\n"
        "  us-east-1: CloudFront alarms of 'ops' and their on-call topic and key (metadata only)\n"
        "  us-east-1: AWS Budgets (metadata only)\n"
        "\n"
        "No changes: the target already matches the plan (40 resources).\n"
    )
    assert [(r["region"], r["use"], r["holdsData"]) for r in regions_document(plan)] == [
        ("eu-central-1", "home", True),
        ("eu-west-1", "backup-copies", True),
        ("us-east-1", "alarms", False),
        ("us-east-1", "budgets", False),
    ]


def test_a_plan_at_home_in_us_east_1_lists_it_once() -> None:
    plan = _example("us-healthcare.yaml")
    assert [(u.region, u.describe()) for u in regions_used(plan)] == [
        ("us-east-1", "home region: every function's resources"),
        ("us-west-2", "backup copies of 'phi-backup'"),
    ]
