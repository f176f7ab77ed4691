"""`provision verify`: audit a plan's live resources against what the plan promises."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from provision.cli.stack_options import clear_errors, load_checked_plan, open_deployed_stack, stack_options

PASS, FAIL = "PASS", "FAIL"
VIEWS = ("all", "failures", "summary")


def verification_document(plan, target: str, report) -> dict[str, Any]:
    """The machine-readable result (`--format json`)."""
    return {
        "apiVersion": "provision/v1",
        "kind": "Verification",
        "plan": plan.name,
        "environment": plan.environment,
        "target": target,
        "passed": report.passed,
        "summary": {"checks": len(report.results), "failed": len(report.failures)},
        "results": [
            {"check": r.check, "resource": r.resource, "passed": r.passed, "detail": r.detail} for r in report.results
        ],
        "unaudited": [{"resource": r.name, "kind": r.kind, "id": r.id} for r in report.unaudited],
    }


def summary_line(plan, target: str, report) -> str:
    failed = len(report.failures)
    verdict = f"{failed} failed" if failed else "all passed"
    return f"Verified {plan.name}/{plan.environment} on target {target}: {len(report.results)} checks, {verdict}."


def _unaudited_line(report) -> str | None:
    if not report.unaudited:
        return None
    names = ", ".join(f"{r.kind or 'unknown kind'} {r.name}" for r in report.unaudited)
    return f"Not audited (no check applies): {names}"


def by_check(report) -> list[tuple[str, int, int]]:
    """(check id, passed, failed) per check, in the order checks first ran."""
    counts: dict[str, list[int]] = {}
    for r in report.results:
        counts.setdefault(r.check, [0, 0])[0 if r.passed else 1] += 1
    return [(check, passed, failed) for check, (passed, failed) in counts.items()]


def render_text(plan, target: str, report, view: str = "all") -> str:
    """One line per check (`failures`: per failed check; `summary`: per check id), then the verdict."""
    if view == "summary":
        width = max((len(check) for check, _, _ in by_check(report)), default=0)
        lines = [f"{FAIL if failed else PASS}  {check:<{width}}  {passed} passed, {failed} failed"
                 for check, passed, failed in by_check(report)]
    else:
        shown = report.failures if view == "failures" else report.results
        width = max((len(r.check) for r in shown), default=0)
        lines = [f"{PASS if r.passed else FAIL}  {r.check:<{width}}  {r.resource}  {r.detail}" for r in shown]
    extra = _unaudited_line(report)
    return "\n".join([*lines, *([extra] if extra else []), summary_line(plan, target, report)]) + "\n"


def print_table(plan, target: str, report, view: str = "all") -> None:
    """The same report as a rich table, for a terminal."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"provision verify {plan.name}/{plan.environment} ({target})", title_justify="left")
    columns = ("Result", "Check", "Passed", "Failed") if view == "summary" else ("Result", "Check", "Resource", "Detail")
    for column in columns:
        table.add_column(column, overflow="fold")
    if view == "summary":
        for check, passed, failed in by_check(report):
            table.add_row("[bold red]FAIL[/]" if failed else "[green]PASS[/]", check, str(passed), str(failed))
    for r in (report.failures if view == "failures" else report.results if view == "all" else ()):
        result = "[green]PASS[/]" if r.passed else "[bold red]FAIL[/]"
        table.add_row(result, r.check, r.resource, r.detail)
    console = Console(highlight=False)
    console.print(table)
    extra = _unaudited_line(report)
    if extra:
        console.print(extra, style="dim")
    console.print(summary_line(plan, target, report), style="green" if report.passed else "bold red")


def _stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


@click.command("verify")
@click.argument("plan_file", metavar="PLAN", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--show", "view", type=click.Choice(VIEWS), default="all", show_default=True,
              help="Text: every check, only the failed ones, or one line per kind of check. JSON has them all.")
@click.option(
    "--probe-alerts",
    is_flag=True,
    help="Also prove the SOC is paged: raise a GuardDuty sample finding and a Security Hub test finding and "
    "wait for both on a temporary SQS subscription to each alerts topic (removed afterwards; the findings "
    "are archived). Safe on AWS.",
)
@click.option(
    "--probe-timeout",
    type=click.FloatRange(min=1),
    default=300.0,
    show_default=True,
    help="Seconds to wait for the probe's findings (GuardDuty can take minutes on AWS).",
)
@stack_options
def verify(
    plan_file: Path, fmt: str, view: str, probe_alerts: bool, probe_timeout: float, target: str, state_dir, backend
) -> None:
    """Audit PLAN's live resources on the target against what PLAN promises.

    Reads every resource of the stack back from AWS (or the sandbox) and
    checks: S3 encryption with KMS, public access blocked, versioning and
    TLS-only policies; KMS key rotation; encrypted topics and log groups;
    CloudTrail (logging, validation, multi-region, KMS), GuardDuty, Security
    Hub standards for the compliance regimes, Config recording; backup vault
    keys and locks; backup plan rules (schedule against the RPO, retention,
    the copy to the second region); flow-log retention; vendor roles (trust
    with ExternalId, 1 h sessions, permissions boundary, no wildcards); each
    vendor's live access against its planned access (as `provision access
    --live`); and the provision:* tags. The sandbox enforces only the policies
    AWS services check for themselves (not what a vendor's role may do): this
    is what proves them.

    Changes nothing, and never starts the sandbox. With --probe-alerts it
    also proves that findings page the SOC: the only things it creates are a
    temporary queue and subscription, removed afterwards, and two test
    findings, archived afterwards.

    \b
    Examples:
      provision verify examples/saas-startup.yaml
      provision verify plans/prod.yaml --show failures     # only what failed
      provision verify plans/prod.yaml --show summary      # one line per kind of check
      provision verify plans/prod.yaml --target aws --format json
      provision verify plans/prod.yaml --target aws --probe-alerts

    \b
    Exit codes:
      0  every check passed
      1  a check failed, nothing is deployed, or the engine or target failed
      2  PLAN is invalid, or bad usage
    """
    from provision.stacks.access.live import exports_of
    from provision.stacks.verify.inventory import live_resources
    from provision.stacks.verify.live import deployment_of, target_clients
    from provision.stacks.verify.model import VerifyContext
    from provision.stacks.verify.runner import verify as run_checks

    with clear_errors():
        plan = load_checked_plan(plan_file, enforce_policies=False, summary_only=True)
        label = f"{plan.name}/{plan.environment}"
        stack = open_deployed_stack(plan, plan_file, target=target, state_dir=state_dir, backend=backend)
        deployment = deployment_of(stack.ops)
        resources = live_resources(deployment, plan.region)
        if not resources:
            raise click.ClickException(
                f"nothing deployed for stack {label} on target {target}; run `provision apply {plan_file}` first."
            )
        clients = target_clients(stack.target)
        context = VerifyContext(plan=plan, clients=clients, resources=resources, exports=exports_of(deployment))
        report = run_checks(context)
        if probe_alerts:
            from provision.stacks.verify.alert_probe import probe_alerts as run_probe

            outputs = stack.ops.status().outputs
            report.results.extend(run_probe(plan, outputs, clients, stack.target.account_id(), probe_timeout))
    if fmt == "json":
        click.echo(json.dumps(verification_document(plan, target, report), indent=2))
    elif _stdout_is_terminal():
        print_table(plan, target, report, view)
    else:
        click.echo(render_text(plan, target, report, view), nl=False)
    if not report.passed:
        raise click.ClickException(f"{len(report.failures)} of {len(report.results)} checks failed for {label} on target {target}.")
