"""#19 item 8: `diff` and `plan --format markdown` keep a comment each; apply explains count differences."""

from __future__ import annotations

import pytest

from provision.cli.commands.apply import count_note
from provision.cli.commands.plan import pull_request_comment
from provision.stacks.engine.events import ChangeSet, ResourceChange
from provision.validation.pipeline import load_plan

README = __import__("pathlib").Path(__file__).resolve().parents[2] / "README.md"
URN = "urn:pulumi:prod::brightdesk-prod::provision:function$S3Bucket::web-site"


def test_item8_diff_and_plan_comments_have_distinct_markers(run, edited) -> None:
    base, head = edited("saas-startup", name="base"), edited("saas-startup", ("monthlyUSD: 2500", "monthlyUSD: 3000"))
    diff = run("diff", base, head, "--format", "markdown")
    assert diff.exit_code == 0
    assert diff.stdout.splitlines()[0] == "<!-- provision:diff-comment:brightdesk-prod -->"
    # `plan --format markdown` renders its preview the same way; only the engine part is stood in for.
    plan, report = load_plan(head)
    changes = ChangeSet(changes={URN: ResourceChange(URN, "web-site", "S3Bucket", "web", "update")})
    comment = pull_request_comment(head, plan, report, changes, str(base), quiet=False)
    assert comment.splitlines()[0] == "<!-- provision:plan-comment:brightdesk-prod -->"


def test_item8_the_readme_says_how_ci_updates_each_comment() -> None:
    text = README.read_text(encoding="utf-8")
    assert "<!-- provision:diff-comment:<plan> -->" in text and "<!-- provision:plan-comment:<plan> -->" in text


@pytest.mark.parametrize(
    ("preview", "result", "note"),
    [
        ({"create": 1, "update": 7}, {"create": 1, "update": 7}, None),
        ({"create": 1, "update": 7}, {"create": 1, "update": 5},
         "The preview said 7 to update: it counts a resource as changing when one of its inputs depends on a value "
         "known only during the apply (such as the ID or ARN of a resource created or replaced first); once known, "
         "some of those values turned out the same, so those resources were left unchanged."),
        ({"update": 1}, {"update": 2},
         "The preview said 1 to update: the target changed between the preview and the apply, or a change the "
         "preview could not foresee was needed. `provision plan` now shows whether anything is left."),
    ],
)
def test_item8_preview_and_result_counts_agree_or_are_explained(preview, result, note) -> None:
    assert count_note(preview, result) == note
