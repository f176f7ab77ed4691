"""`provision apply`: show the plan, confirm, provision with live progress."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import click

from provision.cli.confirm import confirm
from provision.cli.progress import LiveProgress, working
from provision.cli.stack_options import clear_errors, load_checked_plan, open_plan_stack, stack_options
from provision.cli.stack_render import render_changes, render_outputs


def done_line(counts: Mapping[str, int]) -> str:
    return (
        f"{counts['create']} created, {counts['update']} updated, {counts['replace']} replaced, "
        f"{counts['delete']} deleted, {counts['same']} unchanged."
    )


CHANGED_OPS = ("create", "update", "replace", "delete")


def count_note(preview: Mapping[str, int], result: Mapping[str, int]) -> str | None:
    """Why the result's counts differ from the preview's, or None when they agree."""
    differ = [op for op in CHANGED_OPS if preview.get(op, 0) != result.get(op, 0)]
    if not differ:
        return None
    said = ", ".join(f"{preview.get(op, 0)} to {op}" for op in differ)
    if all(result.get(op, 0) <= preview.get(op, 0) for op in differ):
        return (
            f"The preview said {said}: it counts a resource as changing when one of its inputs depends on "
            "a value known only during the apply (such as the ID or ARN of a resource created or replaced "
            "first); once known, some of those values turned out the same, so those resources were left unchanged."
        )
    return (
        f"The preview said {said}: the target changed between the preview and the apply, or a change "
        "the preview could not foresee was needed. `provision plan` now shows whether anything is left."
    )


@click.command("apply")
@click.argument("plan_file", metavar="PLAN", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--yes", "-y", is_flag=True,
    help="Apply without asking or previewing (needed where there is no terminal, e.g. CI); lists what it changed.",
)
@stack_options
def apply(plan_file: Path, yes: bool, target: str, state_dir, backend) -> None:
    """Provision PLAN: create, update, replace or delete its resources.

    Validates PLAN (mandatory policy violations stop here), reads every
    resource back from the target, shows what it would change (including
    repairs of out-of-band changes: see `provision drift`) and asks for
    confirmation, then provisions with live per-resource progress and prints
    a summary and the stack outputs. Starts the local sandbox if the target
    is the sandbox and none runs. With --yes there is nothing to confirm, so
    there is no separate preview: one engine pass reads the target back and
    updates it, then lists what it changed (run `provision plan` first to see
    the changes before they are made).

    \b
    Examples:
      provision apply examples/saas-startup.yaml
      provision apply plans/prod.yaml --target aws --yes

    One run at a time per stack: a second apply or destroy fails at once and
    says which run holds the stack. Ctrl-C or SIGTERM stops cleanly: the
    engine finishes the operations in flight and saves the state (a second
    Ctrl-C stops it at once). After a run that was killed outright, apply
    refuses to start and names the command that clears what it left.

    \b
    Exit codes:
      0    applied, or nothing to change
      1    mandatory policy violations, declined, the stack is locked, or the engine or target failed
      2    PLAN is invalid, or bad usage
      130  interrupted by Ctrl-C (SIGINT); 143 by SIGTERM
    """
    from provision.stacks.engine.guard import exclusive_run, reported_interrupts
    from provision.stacks.engine.statedir import StateDir

    again = f"Run `provision apply {plan_file}` to finish, or `provision destroy {plan_file}` to remove what was made."
    with clear_errors():
        loaded = load_checked_plan(plan_file, enforce_policies=True)
        stack = open_plan_stack(
            loaded, target=target, state_dir=state_dir, backend=backend, start_sandbox=True, with_program=True,
            plan_file=plan_file,
        )
        with exclusive_run(
            stack.ops, StateDir.resolve(state_dir).root, f"provision apply {plan_file}", f"provision unlock {plan_file}"
        ) as signals:
            preview = None
            if not yes:
                # Against AWS as it is now, not as last recorded: out-of-band changes are shown and repaired.
                with working(f"Reading {stack.label} back and previewing..."), reported_interrupts(
                    signals, doing="the preview", next_steps="", changes_state=False
                ):
                    preview = stack.ops.preview(refresh=True)
                click.echo(render_changes(loaded, preview, stack.target.name), nl=False)
                if not preview.has_changes:
                    return
                confirm(f"\nApply these changes to {stack.label}?", declined="Nothing was applied.", command="apply")
                click.echo("", err=True)
            signals.between = f"the update stopped between two engine steps. {again}"
            with LiveProgress() as progress, reported_interrupts(signals, doing="the update", next_steps=again):
                outcome = stack.ops.up(listener=progress, refresh=True)
    if preview is None:
        # --yes: no separate preview (a second engine pass, reading every resource back twice);
        # the same view, of what the update did.
        click.echo(render_changes(loaded, outcome.changes, stack.target.name, totals=False), nl=False)
        if not outcome.changes.has_changes:
            return
    click.echo(f"\nApplied in {outcome.seconds:.0f}s: {done_line(outcome.changes.counts())}")
    note = count_note(preview.counts(), outcome.changes.counts()) if preview is not None else None
    if note:
        click.echo(note)
    click.echo(render_outputs(outcome.outputs), nl=False)
