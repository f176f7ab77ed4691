"""`provision plan`: preview what apply would change, grouped by function."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from provision.cli.progress import working
from provision.cli.stack_options import PlanRejected, clear_errors, load_checked_report, open_plan_stack, stack_options
from provision.cli.stack_render import render_changes

EXIT_NO_CHANGES, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2
SUMMARY_OPS = ("create", "update", "replace", "delete", "same")


def regions_document(plan) -> list[dict[str, Any]]:
    from provision.policies.residency import regions_used

    return [
        {"region": u.region, "use": u.kind, "function": u.function, "holdsData": u.holds_data, "description": u.describe()}
        for u in regions_used(plan)
    ]


def changes_document(plan, changes, target_name: str) -> dict[str, Any]:
    """The machine-readable preview (`--format json`); keys and order are stable."""
    counts = changes.counts()
    return {
        "apiVersion": "provision/v1",
        "kind": "Preview",
        "plan": plan.name,
        "environment": plan.environment,
        "target": target_name,
        "hasChanges": changes.has_changes,
        "regions": regions_document(plan),
        "summary": {op: counts[op] for op in SUMMARY_OPS},
        "resources": [c.as_dict() for c in changes.ordered()],
    }


def pull_request_comment(plan_file: Path, loaded, report, changes, base: str | None, quiet: bool) -> str:
    """The review comment of cli.review for this preview, optionally diffed against `base`."""
    import datetime as dt

    from provision.cli.review.loading import load_base, policy_config_for
    from provision.cli.review.render import render_plan
    from provision.cli.review.resources import from_engine
    from provision.cli.review.review import Side
    from provision.cli.usage_errors import usage_errors

    if quiet and base is None and not changes.has_changes:
        return ""  # without a base there is no outsourcing diff: only resource changes count
    today = dt.date.today()
    head = Side(str(plan_file), loaded, tuple(report.findings))
    before = None
    if base:
        with usage_errors():
            config = policy_config_for(str(plan_file), None)
            before = load_base(base, config=config, today=today, allow_missing=True)
    resources = from_engine(changes.ordered())
    return render_plan("markdown", head, resources, base=before, today=today, quiet_if_no_changes=quiet)


@click.command("plan")
@click.argument("plan_file", metavar="PLAN", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="markdown: one pull-request comment (verdict, outsourcing diff, resource changes, policies, cost).",
)
@click.option(
    "--base",
    metavar="SPEC",
    help="With --format markdown: the plan before the change (a file or git:REV:path) for the outsourcing diff.",
)
@click.option(
    "--quiet-if-no-changes", is_flag=True, help="With --format markdown: print nothing when nothing would change."
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when nothing would change, 2 when something would, 1 on any error.",
)
@stack_options
def plan(
    plan_file: Path,
    fmt: str,
    base: str | None,
    quiet_if_no_changes: bool,
    detailed_exitcode: bool,
    target: str,
    state_dir,
    backend,
) -> None:
    """Preview the changes `apply` would make for PLAN.

    Validates PLAN first (mandatory policy violations stop here), then asks
    the engine what it would create, update, replace (and why) or delete,
    grouped by function. Like apply, it first reads every resource back
    from the target, so out-of-band changes show as the repairs apply would
    make (`provision drift` details them). Starts the local sandbox if the
    target is the sandbox and none runs. Nothing is changed.

    \b
    Examples:
      provision plan examples/saas-startup.yaml
      provision plan plans/prod.yaml --target aws --format json
      provision plan plans/prod.yaml --detailed-exitcode   # CI drift check
      provision plan plans/prod.yaml --format markdown --base git:origin/main:plans/prod.yaml

    \b
    Exit codes:
      0  preview done (with --detailed-exitcode: no changes)
      1  mandatory policy violations, or the engine or target failed
      2  PLAN is invalid, or bad usage (with --detailed-exitcode: changes pending)
    """
    try:
        with clear_errors():
            loaded, report = load_checked_report(plan_file, enforce_policies=True)
            stack = open_plan_stack(
                loaded, target=target, state_dir=state_dir, backend=backend, start_sandbox=True, with_program=True,
                plan_file=plan_file,
            )
            with working(f"Previewing {stack.label}..."):
                changes = stack.ops.preview(refresh=True)  # what apply, which refreshes first, would do
    except PlanRejected as exc:
        if detailed_exitcode:
            exc.exit_code = EXIT_ERROR  # 2 means "changes" here
        raise
    if fmt == "json":
        click.echo(json.dumps(changes_document(loaded, changes, stack.target.name), indent=2))
    elif fmt == "markdown":
        click.echo(pull_request_comment(plan_file, loaded, report, changes, base, quiet_if_no_changes), nl=False)
    else:
        click.echo(render_changes(loaded, changes, stack.target.name), nl=False)
    if detailed_exitcode:
        click.get_current_context().exit(EXIT_CHANGES if changes.has_changes else EXIT_NO_CHANGES)
