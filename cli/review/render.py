"""The review renderers by format name, and the entry point `provision plan` uses."""

from __future__ import annotations

import datetime as dt
from typing import Callable, Sequence

from provision.cli.review.json_doc import render_json
from provision.cli.review.markdown import render_markdown
from provision.cli.review.model import Review
from provision.cli.review.resources import FunctionResources
from provision.cli.review.review import Side, build_review
from provision.cli.review.text import render_text

Renderer = Callable[..., str]  # (review, resources=None, *, quiet_if_no_changes=False) -> str
RENDERERS: dict[str, Renderer] = {"text": render_text, "markdown": render_markdown, "json": render_json}
FORMATS = tuple(RENDERERS)


def render(format_name: str, review: Review, resources: Sequence[FunctionResources] | None = None, *,
           quiet_if_no_changes: bool = False) -> str:
    """`review` in `format_name` (text | markdown | json); "" when quiet and nothing changed."""
    return RENDERERS[format_name](review, resources, quiet_if_no_changes=quiet_if_no_changes)


def render_plan(
    format_name: str,
    head: Side,
    resources: Sequence[FunctionResources],
    *,
    base: Side | None = None,
    today: dt.date | None = None,
    quiet_if_no_changes: bool = False,
) -> str:
    """What `provision plan --format markdown|json|text` prints: the review of `head` (against
    `base` when given) with the preview's resource changes."""
    review = build_review(head, base, today=today or dt.date.today())
    return render(format_name, review, resources, quiet_if_no_changes=quiet_if_no_changes)
