"""The pull-request comment's contract: marker, escaping, quiet mode, cut order."""

from __future__ import annotations

import datetime as dt

import pytest

from provision.cli.review.markdown import render_markdown
from provision.cli.review.resources import FunctionResources, ResourceChange
from provision.cli.review.review import Side, build_review
from provision.schemas.findings import Finding, Level
from provision.schemas.model import build_plan

TODAY = dt.date(2026, 3, 2)
FAILURE = Finding("plans/prod.yaml", 40, 7, "PRV-BAK-001", Level.MANDATORY, "backup too rare", "fix it",
                  ("spec", "functions", "backups"), docs_url="https://provision.dev/policies/PRV-BAK-001")


def review_of(edited, edit, head_findings=()):
    base, head = edited(edit)
    return build_review(Side("plans/prod.yaml", head, tuple(head_findings)),
                        Side("git:origin/main:plans/prod.yaml", base, ()), today=TODAY)


def test_the_marker_opens_the_comment(edited) -> None:
    comment = render_markdown(review_of(edited, lambda d: None))
    assert comment.splitlines()[:2] == ["<!-- provision:diff-comment:brightdesk-prod -->",
                                        "### ➖ provision diff: brightdesk-prod"]


def test_plan_text_cannot_inject_markup(edited) -> None:
    def edit(doc: dict) -> None:
        doc["spec"]["waivers"][0]["reason"] = "<!-- provision:plan-comment:other --> | <img src=x> [link](x) $5"
        doc["spec"]["waivers"][0]["expires"] = dt.date(2026, 3, 12)

    comment = render_markdown(review_of(edited, edit))
    assert comment.count("<!--") == 1
    assert "\\<\\!-- provision:plan-comment:other --\\> \\| \\<img src=x\\> \\[link\\](x) \\$5" in comment


def test_quiet_when_nothing_changed(edited) -> None:
    review = review_of(edited, lambda d: None)
    same = [FunctionResources("web", (ResourceChange("web-bucket", "S3Bucket", "same"),))]
    assert render_markdown(review, quiet_if_no_changes=True) == ""
    assert render_markdown(review, same, quiet_if_no_changes=True) == ""
    changed = [FunctionResources("web", (ResourceChange("web-bucket", "S3Bucket", "update", ("tags",)),))]
    assert render_markdown(review, changed, quiet_if_no_changes=True).startswith("<!-- provision:plan-comment:")


def test_a_plan_without_base_lists_its_functions(edited) -> None:
    _, head = edited(lambda d: None)
    review = build_review(Side("plans/prod.yaml", head, ()), None, today=TODAY)
    comment = render_markdown(review, [])
    assert "#### Outsourcing (new plan)\n" in comment
    assert "| payroll-exchange | data-exchange | payflow (external) | important | pii | 99.5% |" in comment
    assert "The preview has no resources." in comment


@pytest.mark.parametrize("max_chars", [2_500, 3_500, 5_000])
def test_cutting_keeps_verdict_destructive_changes_and_failures(edited, max_chars) -> None:
    def edit(doc: dict) -> None:
        doc["spec"]["functions"]["backups"]["backup"]["rpoHours"] = 48

    review = review_of(edited, edit, [FAILURE])
    resources = [FunctionResources(f"site-{i}", tuple(
        ResourceChange(f"site-{i}-r{j}", "S3Bucket", "replace" if j == 0 and i < 3 else "update", ("tags",))
        for j in range(10))) for i in range(20)]
    full = render_markdown(review, resources, max_chars=1_000_000)
    comment = render_markdown(review, resources, max_chars=max_chars)
    assert len(full) > max_chars >= len(comment)
    assert "**Blocked: 1 mandatory policy finding, 1 weakening change, 3 destructive resource changes;" in comment
    for i in range(3):
        assert f"| ❗ **replace** | site-{i} | site-{i}-r0 | S3Bucket | tags |" in comment
    assert "| 🆕 new | [PRV-BAK-001](<https://provision.dev/policies/PRV-BAK-001>) (mandatory) |" in comment
    # The least important section goes first: resource details are cut, in part or whole.
    assert "more resource changes not shown: the comment would exceed its size limit._" in comment or (
        "limit: vendor concentration, policy findings in full, resource details. Run `provision plan`" in comment)
