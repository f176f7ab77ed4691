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


PRESET = click.option(
    "--preset",
    type=click.Choice(["landing-zone"]),
    default=None,
    help="Start with what such an account already runs. landing-zone: GuardDuty, Security Hub with its "
    "default standards, a Config recorder and delivery channel, and an organization CloudTrail, as "
    "Control Tower leaves them.",
)
IAM_PROPAGATION = click.option(
    "--iam-propagation-seconds",
    type=click.FloatRange(min=0),
    default=None,
    help="How long a new IAM role stays invisible to AWS services, as on AWS (default 5; 0 turns it off).",
)


def _describe(info) -> str:
    extra = f", preset {info.preset}" if info.preset else ""
    if info.iam_propagation_seconds is not None:
        extra += f", IAM propagation {info.iam_propagation_seconds:g}s"
    return f"instance {info.instance_id} at {info.url} (pid {info.pid}{extra})"


def _sandbox(state_dir: Path | None):
    from provision.stacks.engine.statedir import StateDir
    from provision.stacks.sandbox import Sandbox

    return Sandbox(StateDir.resolve(state_dir).ensure().sandbox_dir)


@click.group("sandbox")
def sandbox() -> None:
    """Start, inspect, stop or reset the local AWS sandbox.

    The sandbox is a moto server on 127.0.0.1 (a free port) with provision's
    gap fills, running in the background; `plan` and `apply` start it when
    needed. It serves HTTPS with a CA of its own (sandbox/tls/ca.pem in the
    state directory) and refuses what AWS refuses, with AWS's error codes. It keeps everything in memory: stopping it deletes every resource
    in it, and the Pulumi state of the sandbox target goes with them.

    \b
    Examples:
      provision sandbox start
      provision sandbox start --preset landing-zone   # an account a landing zone governs
      provision sandbox status
      provision sandbox reset     # a fresh, empty sandbox
      provision sandbox seed examples/eu-fintech.yaml   # placeholder ExternalIds
      provision sandbox stop
    """


@sandbox.command("start")
@STATE_DIR
@PRESET
@IAM_PROPAGATION
def start(state_dir: Path | None, preset: str | None, iam_propagation_seconds: float | None) -> None:
    """Start the sandbox (does nothing if it already runs with that preset).

    \b
    Exit codes:
      0  it runs
      1  it could not start, or it runs with another preset (use `reset --preset`)
    """
    box = _sandbox(state_dir)
    with clear_errors():
        info, new = box.start(preset=preset, iam_propagation_seconds=iam_propagation_seconds)
    verb = "Started" if new else "Already running:"
    click.echo(f"{verb} sandbox {_describe(info)}, log {box.log_file}.")


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
    click.echo(f"running: {_describe(info)} since {info.started_at}")


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
@PRESET
@IAM_PROPAGATION
def reset(state_dir: Path | None, preset: str | None, iam_propagation_seconds: float | None) -> None:
    """Replace the sandbox with a fresh one (a new instance), empty or as --preset describes.

    A running sandbox without a preset is emptied in place, in under a second:
    every resource and every stack of the old instance is gone. With --preset,
    or when none runs, a new server starts.
    """
    box = _sandbox(state_dir)
    with clear_errors():
        info = box.reset(preset=preset, iam_propagation_seconds=iam_propagation_seconds)
    click.echo(f"Reset: sandbox {_describe(info)} starts {'as ' + preset if preset else 'empty'}.")


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
