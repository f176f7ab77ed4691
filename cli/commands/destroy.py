"""`provision destroy`: delete every resource of a plan's stack, then the stack."""

from __future__ import annotations

from pathlib import Path

import click

from provision.cli.confirm import confirm
from provision.cli.progress import LiveProgress, working
from provision.cli.stack_options import clear_errors, load_checked_plan, open_plan_stack, stack_options
from provision.cli.stack_render import function_heading


@click.command("destroy")
@click.argument("plan_file", metavar="PLAN", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", "-y", is_flag=True, help="Destroy without asking (needed where there is no terminal, e.g. CI).")
@click.option(
    "--force-delete-data",
    is_flag=True,
    help="Also delete the objects in buckets and the recovery points in backup vaults "
    "(without it, destroy refuses while they hold any, and says what).",
)
@stack_options
def destroy(plan_file: Path, yes: bool, force_delete_data: bool, target: str, state_dir, backend) -> None:
    """Delete everything PLAN provisioned on the target, then its stack.

    Lists the resources and asks for confirmation first. Policy violations
    do not block a destroy. On the sandbox, a state left over from a sandbox
    instance that no longer runs is dropped (its resources went with it).

    Data is never deleted by surprise: while a bucket holds objects or a
    backup vault holds recovery points, destroy deletes nothing and says
    what each holds; --force-delete-data deletes them with the stack.

    \b
    Examples:
      provision destroy examples/saas-startup.yaml
      provision destroy plans/prod.yaml --target aws --yes
      provision destroy plans/test.yaml --yes --force-delete-data

    \b
    Exit codes:
      0    destroyed, or nothing to destroy
      1    declined, data would be lost, the stack is locked, or the engine or target failed
      2    PLAN is invalid, or bad usage
      130  interrupted by Ctrl-C (SIGINT); 143 by SIGTERM
    """
    from provision.stacks.engine.data_loss import data_at_risk, keys_pending_deletion
    from provision.stacks.engine.guard import exclusive_run, reported_interrupts
    from provision.stacks.engine.statedir import StateDir

    with clear_errors():
        loaded = load_checked_plan(plan_file, enforce_policies=False)
        stack = open_plan_stack(
            loaded, target=target, state_dir=state_dir, backend=backend, start_sandbox=True, with_program=False
        )
        with exclusive_run(
            stack.ops, StateDir.resolve(state_dir).root, f"provision destroy {plan_file}", f"provision unlock {plan_file}"
        ) as signals:
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
            with working(f"Looking for data in {stack.label}..."):
                deployment = stack.ops.deployment()
                held = data_at_risk(deployment, stack.target.client)
            if held and not force_delete_data:
                raise click.ClickException(data_refusal(stack.label, held, plan_file))
            locked = [item for item in held if item.locked_until is not None]
            if locked:
                raise click.ClickException(locked_refusal(stack.label, locked))
            click.echo(f"Destroying {stack.label} deletes {len(status.resources)} resource(s):")
            for function in sorted({r.function for r in status.resources}, key=lambda f: f or "~"):
                click.echo(function_heading(loaded, function))
                for res in (r for r in status.resources if r.function == function):
                    click.echo(f"   - {res.label}")
            if held:
                click.echo("and, with --force-delete-data, the data they hold:")
                click.echo("".join(f"   - {item.describe()}\n" for item in held), nl=False)
            if not yes:
                confirm(f"\nDelete all of {stack.label}?", declined="Nothing was destroyed.", command="destroy")
            again = f"Run `provision destroy {plan_file}` again to finish."
            signals.between = f"the destroy stopped between two engine steps. {again}"
            with LiveProgress() as progress, reported_interrupts(signals, doing="the destroy", next_steps=again):
                outcome = stack.ops.destroy(listener=progress, force_delete_data=force_delete_data)
    deleted = outcome.changes.counts()["delete"] if outcome is not None else 0
    click.echo(f"Destroyed {stack.label}: {deleted} resource(s) deleted, stack removed.")
    for line in keys_pending_deletion(deployment, stack.target.client):
        click.echo(f"  {line}")


def locked_refusal(stack_label: str, locked) -> str:
    """Why destroy stops even with --force-delete-data: AWS keeps a locked vault's points until a date."""
    listed = "".join(f"\n  - {item.describe()}" for item in locked)
    return (
        f"Refusing to destroy {stack_label}: its vault lock keeps recovery points that AWS will not delete yet:"
        f"{listed}\nNothing was deleted. Run the destroy again after that date."
    )


def data_refusal(stack_label: str, held, plan_file: Path) -> str:
    """Why destroy stops: what each bucket or vault holds, and how to go on."""
    listed = "".join(f"\n  - {item.describe()}" for item in held)
    return (
        f"Refusing to destroy {stack_label}: it would delete data along with the resources:{listed}\n"
        f"Nothing was deleted. Back the data up or move it, then run "
        f"`provision destroy {plan_file} --force-delete-data` to delete it with the stack."
    )
