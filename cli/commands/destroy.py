"""`provision destroy`: delete every resource of a plan's stack, then the stack."""

from __future__ import annotations

from pathlib import Path

import click

from provision.cli.commands.plan import function_heading
from provision.cli.progress import LiveProgress, working
from provision.cli.stack_options import clear_errors, load_checked_plan, open_plan_stack, stack_options


@click.command("destroy")
@click.argument("plan_file", metavar="PLAN", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", "-y", is_flag=True, help="Destroy without asking (for CI).")
@stack_options
def destroy(plan_file: Path, yes: bool, target: str, state_dir, backend) -> None:
    """Delete everything PLAN provisioned on the target, then its stack.

    Lists the resources and asks for confirmation first. Policy violations
    do not block a destroy. On the sandbox, a state left over from a sandbox
    instance that no longer runs is dropped (its resources went with it).

    \b
    Examples:
      provision destroy examples/saas-startup.yaml
      provision destroy plans/prod.yaml --target aws --yes

    \b
    Exit codes:
      0  destroyed, or nothing to destroy
      1  declined, or the engine or target failed
      2  PLAN is invalid, or bad usage
    """
    with clear_errors():
        loaded = load_checked_plan(plan_file, enforce_policies=False)
        stack = open_plan_stack(
            loaded, target=target, state_dir=state_dir, backend=backend, start_sandbox=True, with_program=False
        )
        with working(f"Reading the state of {stack.label}..."):
            stale = stack.ops.stale_state()
            status = stack.ops.status() if stale is None else None
        if stale is not None:
            stack.ops.forget()
            click.echo(
                f"The sandbox instance that held the {stale.resources} resource(s) of {stack.label} no longer "
                "runs, so they are already gone; dropped their stale state."
            )
            return
        if status is None or not status.resources:
            if status is not None:
                stack.ops.forget()  # an empty stack, e.g. left by `plan`: nothing to delete in AWS
            click.echo(f"Nothing to destroy: {stack.label} has no resources.")
            return
        click.echo(f"Destroying {stack.label} deletes {len(status.resources)} resource(s):")
        for function in sorted({r.function for r in status.resources}, key=lambda f: f or "~"):
            click.echo(function_heading(loaded, function))
            for res in (r for r in status.resources if r.function == function):
                click.echo(f"   - {res.label}")
        if not yes and not click.confirm(f"\nDelete all of {stack.label}?", default=False, err=True):
            raise click.ClickException("Nothing was destroyed.")
        with LiveProgress() as progress:
            outcome = stack.ops.destroy(listener=progress)
    deleted = outcome.changes.counts()["delete"] if outcome is not None else 0
    click.echo(f"Destroyed {stack.label}: {deleted} resource(s) deleted, stack removed.")
