"""What plan, apply, destroy and status share: options, plan loading, opening the stack.

Every failure below the CLI (validation, target, sandbox, engine) surfaces as
a click exception carrying one clear paragraph: no tracebacks.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import click

from provision.cli.formats.base import EXIT_INVALID, EXIT_MANDATORY

TARGET_CHOICES = ("sandbox", "aws")


def stack_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--target, --state-dir and --backend, in that order."""
    options = [
        click.option(
            "--target",
            type=click.Choice(TARGET_CHOICES),
            default="sandbox",
            show_default=True,
            envvar="PROVISION_TARGET",
            help="Where to provision: the local AWS sandbox, or real AWS with your credentials.",
        ),
        click.option(
            "--state-dir",
            type=click.Path(file_okay=False, path_type=Path),
            envvar="PROVISION_STATE_DIR",
            help="Local state (Pulumi backend, passphrase, sandbox). Default: ./.provision",
        ),
        click.option(
            "--backend",
            metavar="URL",
            envvar="PROVISION_BACKEND",
            help="Pulumi backend instead of the local one, e.g. "
            "s3://bucket?region=eu-west-1 (add &endpoint=...&s3ForcePathStyle=true for an S3 look-alike).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


class PlanRejected(click.ClickException):
    """The plan did not pass validation; the findings were already printed."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def load_checked_plan(path: Path, *, enforce_policies: bool, summary_only: bool = False):
    """Load and validate a plan, printing its findings to stderr.

    Invalid input always stops (exit 2); mandatory violations stop (exit 1)
    when `enforce_policies` (plan, apply), not for status and destroy.
    `summary_only` (commands that read what is deployed) prints one line
    instead of findings that do not stop the command.
    """
    return load_checked_report(path, enforce_policies=enforce_policies, summary_only=summary_only)[0]


def load_checked_report(path: Path, *, enforce_policies: bool, summary_only: bool = False):
    """`load_checked_plan`, also returning the validation report (for review output)."""
    from provision.cli.formats.base import Summary
    from provision.cli.formats.text import TextFormatter
    from provision.schemas.findings import Level
    from provision.validation.pipeline import load_plan

    plan, report = load_plan(path)
    levels = {f.level for f in report.findings}
    stops = plan is None or Level.ERROR in levels or (enforce_policies and Level.MANDATORY in levels)
    if report.findings and summary_only and not stops:
        counts = Summary.of([report])
        click.echo(f"{path} has policy findings ({counts.mandatory} mandatory, {counts.advisory} advisory, "
                   f"{counts.waived} waived): `provision validate {path}` lists them.", err=True)
    elif report.findings:
        click.echo(TextFormatter(color=False).render([report]), err=True, nl=False)
    if plan is None or Level.ERROR in levels:
        raise PlanRejected(f"{path} is not a valid plan; nothing was provisioned.", EXIT_INVALID)
    if enforce_policies and Level.MANDATORY in levels:
        raise PlanRejected(
            f"{path} violates mandatory policies; fix them or add approved waivers, then try again.",
            EXIT_MANDATORY,
        )
    return plan, report


@dataclass
class PlanStack:
    plan: Any  # provision.schemas.model.Plan
    target: Any  # provision.stacks.targets.Target
    ops: Any  # provision.stacks.engine.operations.StackOps

    @property
    def label(self) -> str:
        return f"{self.plan.name}/{self.plan.environment} on target {self.target.name}"


def open_plan_stack(
    plan,
    *,
    target: str,
    state_dir: Path | None,
    backend: str | None,
    start_sandbox: bool,
    with_program: bool,
    plan_file: Path | None = None,
) -> PlanStack:
    """Resolve the target (starting the sandbox if asked), the engine and the plan's stack.

    `plan_file` locates the organisation's policy config, which the program reads too.
    """
    from provision.stacks.engine.install import ensure_engine
    from provision.stacks.engine.statedir import StateDir
    from provision.stacks.program import build_program
    from provision.stacks.targets import resolve_target, target_stack

    state = StateDir.resolve(state_dir)

    def started(info) -> None:
        click.echo(f"Started the sandbox (instance {info.instance_id}) at {info.url}.", err=True)

    chosen = resolve_target(target, plan.region, state, start_sandbox=start_sandbox, on_sandbox_start=started)
    for note in chosen.notes:
        click.echo(f"Note: {note}", err=True)
    external_ids = None
    if with_program:
        from provision.stacks.functions.vendor_access import resolve_external_ids

        # Before the engine, which may take minutes to obtain: a missing secret fails at once.
        where = f"account {chosen.account_id()}, region {chosen.region} (target {chosen.name})"
        seed = f"provision sandbox seed {plan_file}" if chosen.sandbox is not None and plan_file else ""
        external_ids = resolve_external_ids(plan, chosen.client, where=where, seed_command=seed)
    engine = ensure_engine(lambda line: click.echo(line, err=True))
    for note in engine.notes:
        click.echo(f"Note: {note}", err=True)
    ops = target_stack(chosen, state, project=plan.name, stack=plan.environment, engine=engine, backend=backend)
    if with_program:
        from provision.cli.usage_errors import usage_errors
        from provision.schemas.naming import book_from_deployment
        from provision.stacks.zones import zones_for
        from provision.validation.pipeline import load_policy_config

        zones = zones_for(plan, chosen.client)
        with usage_errors():
            config = load_policy_config(None, plan_file.parent if plan_file else None)
        account = chosen.account_id()

        def program_for(deployment):
            # A deployed stack keeps the physical names it has: renaming would replace its data.
            return build_program(
                plan, account, external_ids=external_ids, names=book_from_deployment(deployment), zones=zones,
                cost_tags_active=config.cost_allocation_tags_active,
            )  # fmt: skip

        ops.program_for = program_for
    return PlanStack(plan=plan, target=chosen, ops=ops)


def open_deployed_stack(plan, plan_file: Path, *, target: str, state_dir: Path | None, backend: str | None) -> PlanStack:
    """The plan's stack for commands that read what is deployed (drift, verify).

    They never start the sandbox; when it is down, nothing can be deployed on
    it, and the error says so and what to run.
    """
    from provision.stacks.targets import SandboxNotRunning

    try:
        return open_plan_stack(
            plan, target=target, state_dir=state_dir, backend=backend, start_sandbox=False, with_program=False
        )
    except SandboxNotRunning:
        raise click.ClickException(
            f"Nothing of {plan.name}/{plan.environment} is deployed: the sandbox is not running. "
            f"Run `provision apply {plan_file}` first."
        ) from None


@contextmanager
def clear_errors() -> Iterator[None]:
    """Turn the known failures of targets, sandbox and engine into click exceptions."""
    from provision.stacks.engine.build import EngineBuildError
    from provision.stacks.engine.errors import EngineError
    from provision.stacks.functions.vendor_facts import ExternalIdError
    from provision.stacks.sandbox import SandboxError
    from provision.stacks.targets import TargetError
    from provision.stacks.zones import ZoneError

    try:
        yield
    except (EngineError, EngineBuildError, ExternalIdError, SandboxError, TargetError, ZoneError) as exc:
        error = click.ClickException(str(exc))
        error.exit_code = getattr(exc, "exit_code", error.exit_code)  # an interruption exits 128 + signal
        raise error from None

