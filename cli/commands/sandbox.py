"""`provision sandbox`: the local AWS sandbox (a moto server on loopback)."""

from __future__ import annotations

from pathlib import Path

import click

from provision.cli.stack_options import clear_errors

STATE_DIR = click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="PROVISION_STATE_DIR",
    help="The state directory whose sandbox to manage. Default: ./.provision",
)


def _sandbox(state_dir: Path | None):
    from provision.stacks.engine.statedir import StateDir
    from provision.stacks.sandbox import Sandbox

    return Sandbox(StateDir.resolve(state_dir).ensure().sandbox_dir)


@click.group("sandbox")
def sandbox() -> None:
    """Start, inspect, stop or reset the local AWS sandbox.

    The sandbox is a moto server on 127.0.0.1 (a free port) with provision's
    gap fills, running in the background; `plan` and `apply` start it when
    needed. It keeps everything in memory: stopping it deletes every resource
    in it, and the Pulumi state of the sandbox target goes with them.

    \b
    Examples:
      provision sandbox start
      provision sandbox status
      provision sandbox reset     # a fresh, empty sandbox
      provision sandbox seed examples/eu-fintech.yaml   # placeholder ExternalIds
      provision sandbox stop
    """


@sandbox.command("start")
@STATE_DIR
def start(state_dir: Path | None) -> None:
    """Start the sandbox (does nothing if it already runs)."""
    box = _sandbox(state_dir)
    with clear_errors():
        info, new = box.start()
    verb = "Started" if new else "Already running:"
    click.echo(f"{verb} sandbox instance {info.instance_id} at {info.url} (pid {info.pid}, log {box.log_file}).")


@sandbox.command("status")
@STATE_DIR
def status(state_dir: Path | None) -> None:
    """Say whether the sandbox runs, where, and since when.

    \b
    Exit codes:
      0  it runs
      1  it does not
    """
    box = _sandbox(state_dir)
    info = box.status()
    if info is None:
        raise click.ClickException("The sandbox is not running. Start it with `provision sandbox start`.")
    click.echo(f"running: instance {info.instance_id} at {info.url} (pid {info.pid}) since {info.started_at}")


@sandbox.command("stop")
@STATE_DIR
def stop(state_dir: Path | None) -> None:
    """Stop the sandbox; everything in it, and its Pulumi state, is gone."""
    stopped = _sandbox(state_dir).stop()
    if stopped is None:
        click.echo("The sandbox was not running.")
    else:
        click.echo(f"Stopped sandbox instance {stopped.instance_id}; its resources and state are gone.")


@sandbox.command("reset")
@STATE_DIR
def reset(state_dir: Path | None) -> None:
    """Replace the sandbox with a fresh, empty one (a new instance)."""
    box = _sandbox(state_dir)
    with clear_errors():
        info = box.reset()
    click.echo(f"Reset: sandbox instance {info.instance_id} at {info.url} starts empty.")


@sandbox.command("seed")
@click.argument("plan_file", metavar="PLAN", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@STATE_DIR
def seed(plan_file: Path, state_dir: Path | None) -> None:
    """Put placeholder ExternalIds in the sandbox for PLAN's ssm: and secretsmanager: references.

    Each placeholder is random and never printed; values already there are
    kept. env: references are read from the environment at apply: export
    them (`make demo` does). Only the sandbox is ever seeded.

    \b
    Exit codes:
      0  seeded (or nothing to seed)
      1  the sandbox is not running
      2  PLAN is invalid, or bad usage
    """
    from provision.cli.stack_options import load_checked_plan
    from provision.stacks.engine.statedir import StateDir
    from provision.stacks.sandbox.seed import seed_external_ids
    from provision.stacks.targets import SANDBOX, resolve_target

    plan = load_checked_plan(plan_file, enforce_policies=False, summary_only=True)
    with clear_errors():
        target = resolve_target(SANDBOX, plan.region, StateDir.resolve(state_dir), start_sandbox=False)
        done = seed_external_ids(plan, target.client)
    click.echo(f"ExternalIds of {plan.name} in the sandbox (account {target.account_id()}, region {plan.region}):")
    said = {"created": "created a placeholder", "present": "already there, kept",
            "environment": "read from the environment at apply: export it"}
    for item in done:
        click.echo(f"  {item.ref} ({item.provider}): {said[item.outcome]}")
    if not done:
        click.echo("  none: the plan has no external providers with an externalIdRef")
