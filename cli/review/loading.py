"""Load BASE and HEAD through the validate pipeline, both judged by one policy config.

Both sides are judged by the same policy config, so the findings diff shows
what the plan change did. By default that is BASE's config (the policies
already merged govern the change; see config_source), HEAD's on request, or
the one given; what HEAD's config changes is reported on its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from provision.cli.review.config_source import config_changes, config_of
from provision.cli.review.model import Change
from provision.cli.review.review import Side
from provision.cli.review.sources import GIT_PREFIX, Source, SourceError, SourceMissing, parse_git, read_source


@dataclass(frozen=True)
class Governance:
    """The config both sides are judged by, and what HEAD changes in the config."""

    config: object  # policies.config.PolicyConfig
    changes: tuple[Change, ...]


def governance(base: str, head: str, *, explicit: Path | None, use_head: bool, confine: bool) -> Governance:
    """BASE's config (or HEAD's when `use_head`, or `explicit`), and HEAD's changes to BASE's."""
    from provision.validation.pipeline import load_policy_config

    head_config = config_of(head, confine=confine)
    base_config = config_of(base, confine=confine) if _may_exist(base) else head_config
    if explicit is not None:
        judge = load_policy_config(explicit, confine=confine)
    else:
        judge = head_config if use_head else base_config
    return Governance(judge, tuple(config_changes(base_config, head_config)))


def policy_config_for(head: str, explicit: Path | None):  # -> PolicyConfig
    """`explicit`, else the provision-policies.yaml nearest HEAD's file (or the working directory)."""
    from provision.validation.pipeline import load_policy_config

    search_from = Path.cwd() if head.startswith(GIT_PREFIX) else Path(head).resolve().parent
    return load_policy_config(explicit, search_from)


def _may_exist(spec: str) -> bool:
    # A BASE file that does not exist (a new plan) has no directory config of its own to speak of.
    return spec.startswith(GIT_PREFIX) or Path(spec).resolve().parent.is_dir()


def load_side(spec: str, *, config, today: dt.date, confine: bool = False) -> Side:
    """The plan `spec` names, validated; SourceError when missing or unreadable, InvalidPlan when invalid."""
    return side_of(_read(spec, confine), config=config, today=today)


def load_base(spec: str, *, config, today: dt.date, allow_missing: bool, confine: bool = False) -> Side | None:
    """Like load_side, but None for a BASE that does not exist when `allow_missing` (a new plan file)."""
    try:
        source = _read(spec, confine)
    except SourceMissing:
        if allow_missing:
            return None
        raise
    return side_of(source, config=config, today=today)


def _read(spec: str, confine: bool) -> Source:
    if confine and not spec.startswith(GIT_PREFIX) and Path(spec).exists():
        from provision.validation.confine import escapes, refusal

        target = escapes(Path(spec))
        if target is not None:
            raise SourceError(refusal(spec, target))
    return read_source(spec)


def origin_of(spec: str):  # -> PlanOrigin
    """Where the files a plan names are looked up: its repository, at the revision for git:REV:path."""
    from provision.policies.origin import PlanOrigin

    if spec.startswith(GIT_PREFIX):
        return PlanOrigin.for_git(parse_git(spec)[0])
    return PlanOrigin.for_file(Path(spec))


def side_of(source: Source, *, config, today: dt.date) -> Side:
    from provision.validation.pipeline import validate_source  # the pipeline loads the policy catalogue: only when needed

    report = validate_source(source.text, filename=source.spec, policy_config=config, today=today,
                             origin=origin_of(source.spec))
    return Side.from_report(report)
