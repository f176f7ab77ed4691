"""`provision unlock`: release a plan's stack after a run that was killed mid-update."""

from __future__ import annotations

from pathlib import Path

import click

from provision.cli.stack_options import clear_errors, load_checked_plan, open_plan_stack, stack_options


@click.command("unlock")
@click.argument("plan_file", metavar="PLAN", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", "-y", is_flag=True, help="Clear without asking.")
@stack_options
def unlock(plan_file: Path, yes: bool, target: str, state_dir, backend) -> None:
    """Release PLAN's stack after a run that was killed mid-update.

    A run stopped by SIGKILL, a crash or a lost CI runner leaves the engine's
    lock on the stack and the operations it had started; apply and destroy
    then refuse to start and send you here. (Ctrl-C and SIGTERM never leave
    these: the engine stops cleanly.) unlock first makes sure no run is
    active: it refuses while a provision run or an engine process still holds
    the stack. Then it shows what it will clear, releases the engine's lock
    and drops the unfinished operations from the state. AWS may have finished
    some creates the state never recorded: their names are listed.

    \b
    Examples:
      provision unlock plans/prod.yaml --target aws
      provision unlock plans/prod.yaml --yes

    \b
    Exit codes:
      0  cleared, or nothing to clear
      1  a run is still active, declined, or the engine or target failed
      2  PLAN is invalid, or bad usage
    """
    from provision.stacks.engine.recovery import EngineBusy, clear_leftovers, find_leftovers
    from provision.stacks.engine.stack_lock import lock_file, stack_lock
    from provision.stacks.engine.statedir import StateDir

    with clear_errors():
        loaded = load_checked_plan(plan_file, enforce_policies=False)
        stack = open_plan_stack(
            loaded, target=target, state_dir=state_dir, backend=backend, start_sandbox=False, with_program=False
        )
        spec = stack.ops.spec
        path = lock_file(StateDir.resolve(state_dir).root, spec.project, spec.stack, spec.backend_url)
        with stack_lock(path, stack.ops.label, f"provision unlock {plan_file}"):
            found = find_leftovers(stack.ops)
            if found.running:
                raise EngineBusy(stack.ops.label, found.running)
            visible_locks = spec.backend_url.startswith("file://")
            if found.empty and visible_locks:
                click.echo(f"Nothing to unlock: {stack.label} is not locked and has no unfinished operations.")
                return
            if found.empty:
                click.echo(f"{stack.label} has no unfinished operations; releasing the engine's lock, if it holds one.")
            else:
                click.echo(f"The last run on {stack.label} was stopped before it finished: {found.describe()}.")
                if not yes and not click.confirm("\nRelease the stack and clear them?", default=False, err=True):
                    raise click.ClickException("Nothing was changed.")
            cleared = clear_leftovers(stack.ops)
    click.echo(f"Released {stack.label}.")
    creating = [p for p in cleared.pending if p.kind == "creating"]
    if creating:
        click.echo(
            f"{len(creating)} resource(s) were being created when the run stopped, and AWS may have finished them "
            "without the state knowing: " + ", ".join(p.describe().removeprefix("creating ") for p in creating) + ". "
            "S3 buckets and IAM roles among them that carry this plan's tags are adopted by the next apply. "
            f"If `provision apply {plan_file}` stops at another because it already exists, delete it in AWS "
            "(after checking it holds nothing you need), then apply again."
        )
    click.echo(f"Next: `provision apply {plan_file}`.")
