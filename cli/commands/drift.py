"""`provision drift`: what changed in AWS outside provision, resource by resource."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from provision.cli.stack_options import PlanRejected, clear_errors, load_checked_plan, open_deployed_stack, stack_options
from provision.cli.stack_render import function_heading

EXIT_NO_DRIFT, EXIT_ERROR, EXIT_DRIFT = 0, 1, 2
MARK = {"deleted": "-", "changed": "~"}


def render_drift(plan, report, stack_label: str, plan_file: Path) -> str:
    """The human report: drifted resources by function, each changed property on its own line."""
    total = report.unchanged + len(report.drifted)
    if not report.has_drift:
        return f"No drift: the {total} resource(s) of {stack_label} match what provision last applied.\n"
    lines = [f"Drift in {stack_label}: {len(report.drifted)} of {total} resource(s) changed outside provision.", ""]
    for function, items in report.by_function().items():
        lines.append(function_heading(plan, function))
        for item in items:
            lines.append(f"  {MARK[item.status]:>2} {item.status:<8} {item.label}")
            lines.extend(f"        {prop.describe()}" for prop in item.properties)
    lines += ["", f"Run `provision apply {plan_file}` to restore what the plan declares."]
    return "\n".join(lines) + "\n"


def drift_document(plan, report, target_name: str) -> dict[str, Any]:
    """The machine-readable report (`--format json`); keys and order are stable."""
    return {
        "apiVersion": "provision/v1",
        "kind": "Drift",
        "plan": plan.name,
        "environment": plan.environment,
        "target": target_name,
        "drifted": report.has_drift,
        "summary": {"deleted": report.count("deleted"), "changed": report.count("changed"), "unchanged": report.unchanged},
        "resources": [item.as_dict() for items in report.by_function().values() for item in items],
    }


@click.command("drift")
@click.argument("plan_file", metavar="PLAN", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@stack_options
def drift(plan_file: Path, fmt: str, target: str, state_dir, backend) -> None:
    """Report what changed on the target outside provision since PLAN was applied.

    Reads every resource of PLAN's stack back from the target and compares
    it with what provision last applied: resources deleted, and settings
    changed (public access, encryption, tags, policies, ...), property by
    property. Writes nothing: neither AWS nor the state changes. `provision
    apply PLAN` repairs what it finds. Never starts the sandbox.

    \b
    Examples:
      provision drift plans/prod.yaml --target aws
      provision drift plans/prod.yaml --format json   # scheduled CI check

    \b
    Exit codes:
      0  no drift
      1  error: PLAN is invalid or not deployed, or the engine or target failed
      2  drift found (bad usage also exits 2, as for `plan --detailed-exitcode`)
    """
    from provision.stacks.engine import drift as drift_engine

    try:
        with clear_errors():
            loaded = load_checked_plan(plan_file, enforce_policies=False, summary_only=True)
            stack = open_deployed_stack(loaded, plan_file, target=target, state_dir=state_dir, backend=backend)
            report = drift_engine.detect(stack.ops)
    except PlanRejected as exc:
        exc.exit_code = EXIT_ERROR  # 2 means "drift" here
        raise
    if report is None:
        raise click.ClickException(f"{stack.label} has no stack: nothing is deployed to check. Run `provision apply` first.")
    if fmt == "json":
        click.echo(json.dumps(drift_document(loaded, report, stack.target.name), indent=2, default=str))
    else:
        click.echo(render_drift(loaded, report, stack.label, plan_file), nl=False)
    click.get_current_context().exit(EXIT_DRIFT if report.has_drift else EXIT_NO_DRIFT)
