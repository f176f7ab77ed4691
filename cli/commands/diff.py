"""`provision diff BASE HEAD`: what an outsourcing change means, for the reviewer of a pull request."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from provision.cli.review.loading import governance, load_base, load_side
from provision.cli.review.markdown import DEFAULT_MAX_CHARS, render_markdown
from provision.cli.review.render import FORMATS, render
from provision.cli.review.review import build_review
from provision.cli.usage_errors import usage_errors

EXIT_WEAKENED = 1


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("base", metavar="BASE")
@click.argument("head", metavar="HEAD")
@click.option("-f", "--format", "format_name", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for people, markdown for a pull-request comment, json for machines.")
@click.option("--fail-on-weakening", is_flag=True,
              help="Exit 1 when HEAD weakens a service level or protection, or moves data out of its residency.")
@click.option("--quiet-if-no-changes", is_flag=True,
              help="Print nothing when BASE and HEAD mean the same (no comment to post).")
@click.option("--allow-missing-base", is_flag=True,
              help="Review HEAD as a new plan when BASE does not exist (a plan added by this change).")
@click.option("--policy-config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Policy config for both sides (default: BASE's provision-policies.yaml, beside it or above).")
@click.option("--head-config", is_flag=True,
              help="Judge both sides with HEAD's policy config instead of BASE's (trust the change's own config).")
@click.option("--allow-outside-tree", is_flag=True,
              help="Read plan and config files that resolve outside their working tree (refused by default).")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Judge waivers and contract dates as of this day, for reproducible output.")
@click.option("--max-chars", type=click.IntRange(min=2_000), default=DEFAULT_MAX_CHARS, show_default=True,
              help="Markdown: cut the least important detail to stay under this many characters.")
@click.pass_context
def diff(ctx: click.Context, base: str, head: str, format_name: str, fail_on_weakening: bool,
         quiet_if_no_changes: bool, allow_missing_base: bool, policy_config: Path | None, head_config: bool,
         allow_outside_tree: bool, today: dt.datetime | None, max_chars: int) -> None:
    """Compare two versions of a plan as a reviewer of an outsourcing change needs.

    Shows which functions are added or removed and which move to another
    provider; changes of data classification, region and residency (flagging
    data that leaves its residency); weakened service levels and protections
    (lower availability or tier, longer RPO, shorter retention, immutability
    or the backup copy dropped, ...); critical functions per external vendor
    before and after; policy findings that are new, fixed or still open;
    waivers added or expiring within 30 days; and the monthly cost delta
    against the plan's budgets.

    BASE and HEAD are plan files or git:REV:PATH, read with `git show
    REV:PATH` (PATH from the repository root), so CI can diff against the
    target branch with nothing but the clone.

    Both sides are judged by BASE's policy config (provision-policies.yaml
    beside BASE or above, at BASE's revision), so a change cannot switch
    policies off for itself; --head-config trusts HEAD's instead. Every
    policy HEAD's config disables, downgrades or re-parameterises, and every
    widened external-id namespace or residency, is a weakening (exit 1
    under --fail-on-weakening). The output
    names the config applied.

    \b
    Exit codes:
      0  the review was printed (whatever it says)
      1  --fail-on-weakening and HEAD weakens something or breaks residency
      2  BASE or HEAD is missing, unreadable or not a valid plan, or misuse

    \b
    Examples:
      provision diff git:origin/main:plans/prod.yaml plans/prod.yaml
      provision diff old.yaml new.yaml --format json | jq .summary
      provision diff git:origin/main:plans/prod.yaml plans/prod.yaml \\
          --format markdown --quiet-if-no-changes > comment.md
      provision diff git:HEAD~1:plans/prod.yaml plans/prod.yaml --fail-on-weakening
    """
    day = today.date() if today else dt.date.today()
    confine = not allow_outside_tree
    with usage_errors():
        governed = governance(base, head, explicit=policy_config, use_head=head_config, confine=confine)
        head_side = load_side(head, config=governed.config, today=day, confine=confine)
        base_side = load_base(base, config=governed.config, today=day, allow_missing=allow_missing_base,
                              confine=confine)
    review = build_review(head_side, base_side, today=day, policy_config=governed.config,
                          config_changes=governed.changes)
    if format_name == "markdown":
        text = render_markdown(review, quiet_if_no_changes=quiet_if_no_changes, max_chars=max_chars)
    else:
        text = render(format_name, review, quiet_if_no_changes=quiet_if_no_changes)
    click.echo(text, nl=False)
    if fail_on_weakening and (review.weakenings or review.residency_breaks):
        ctx.exit(EXIT_WEAKENED)
