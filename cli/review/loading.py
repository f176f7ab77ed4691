"""Load BASE and HEAD through the validate pipeline, with one policy config for both.

Both sides are judged by the same policy config (HEAD's, or the one given), so
the findings diff shows what the plan change did, not a config change.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from provision.cli.review.review import Side
from provision.cli.review.sources import GIT_PREFIX, Source, SourceMissing, read_source


def policy_config_for(head: str, explicit: Path | None):  # -> PolicyConfig
    """`explicit`, else the provision-policies.yaml nearest HEAD's file (or the working directory)."""
    from provision.cli.pipeline import load_policy_config

    search_from = Path.cwd() if head.startswith(GIT_PREFIX) else Path(head).resolve().parent
    return load_policy_config(explicit, search_from)


def load_side(spec: str, *, config, today: dt.date) -> Side:
    """The plan `spec` names, validated; click.UsageError (exit 2) when missing or invalid."""
    return side_of(read_source(spec), config=config, today=today)


def load_base(spec: str, *, config, today: dt.date, allow_missing: bool) -> Side | None:
    """Like load_side, but None for a BASE that does not exist when `allow_missing` (a new plan file)."""
    try:
        source = read_source(spec)
    except SourceMissing:
        if allow_missing:
            return None
        raise
    return side_of(source, config=config, today=today)


def side_of(source: Source, *, config, today: dt.date) -> Side:
    from provision.cli.pipeline import validate_source  # the pipeline loads the policy catalogue: only when needed

    report = validate_source(source.text, filename=source.spec, policy_config=config, today=today)
    return Side.from_report(report)
