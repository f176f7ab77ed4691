"""`provision status`: what a plan's stack holds: resources, outputs, last update."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from provision.cli.stack_options import clear_errors, load_checked_plan, open_plan_stack, stack_options
from provision.cli.stack_render import function_heading, render_outputs


def not_running_document(plan) -> dict[str, Any]:
    return {**_document_head(plan, "sandbox"), "deployed": False, "resources": [], "outputs": {}, "lastUpdate": None}


def _document_head(plan, target: str) -> dict[str, Any]:
    return {"apiVersion": "provision/v1", "kind": "Status", "plan": plan.name, "environment": plan.environment, "target": target}


def status_document(stack, status) -> dict[str, Any]:
    """The machine-readable status (`--format json`)."""
    last = status.last_update if status is not None else None
    return {
        **_document_head(stack.plan, stack.target.name),
        "deployed": status is not None,
        "resources": [
            {"function": r.function, "resource": r.name, "kind": r.kind, "type": r.type, "id": r.id}
            for r in (status.resources if status is not None else [])
        ],
        "outputs": status.outputs if status is not None else {},
        "lastUpdate": None
        if last is None
        else {
            "kind": last.kind,
            "result": last.result,
            "started": last.started.isoformat(),
            "ended": last.ended.isoformat() if last.ended else None,
            "changes": last.changes,
        },
    }


def render_status(stack, status) -> str:
    where = f"Stack {stack.label}"
    if stack.target.sandbox is not None:
        where += f" (sandbox instance {stack.target.sandbox.instance_id} at {stack.target.sandbox.url})"
    if status is None or (not status.resources and status.last_update is None):
        return f"{where}: not deployed.\n"
    lines = [where]
    last = status.last_update
    if last is not None:
        took = f", took {(last.ended - last.started).total_seconds():.0f}s" if last.ended else ""
        # The engine's own counts include the stack and components: the JSON format has them.
        lines.append(f"Last update: {last.kind} {last.result} at {last.started:%Y-%m-%d %H:%M:%S}{took}")
    lines.append(f"Resources: {len(status.resources)}")
    for function in sorted({r.function for r in status.resources}, key=lambda f: f or "~"):
        lines.append(f"  {function_heading(stack.plan, function)}")
        for res in (r for r in status.resources if r.function == function):
            lines.append(f"    {res.label}  {res.id}")
    return "\n".join(lines) + "\n" + render_outputs(status.outputs)


@click.command("status")
@click.argument("plan_file", metavar="PLAN", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@stack_options
def status(plan_file: Path, fmt: str, target: str, state_dir, backend) -> None:
    """Show what PLAN's stack holds on the target: resources, outputs, last update.

    Reads the stack's state only; never starts the sandbox nor changes anything.

    \b
    Examples:
      provision status examples/saas-startup.yaml
      provision status plans/prod.yaml --target aws --format json

    \b
    Exit codes:
      0  shown (also when nothing is deployed)
      1  the state is stale or the engine or target failed
      2  PLAN is invalid, or bad usage
    """
    from provision.stacks.targets import SandboxNotRunning

    with clear_errors():
        loaded = load_checked_plan(plan_file, enforce_policies=False, summary_only=True)
        try:
            stack = open_plan_stack(
                loaded, target=target, state_dir=state_dir, backend=backend, start_sandbox=False, with_program=False
            )
        except SandboxNotRunning:
            stack, current = None, None
        else:
            current = stack.ops.status()
    if stack is None:
        if fmt == "json":
            click.echo(json.dumps(not_running_document(loaded), indent=2))
        else:
            click.echo(f"The sandbox is not running: nothing of {loaded.name}/{loaded.environment} is deployed on it.")
        return
    if fmt == "json":
        click.echo(json.dumps(status_document(stack, current), indent=2, default=str))
    else:
        click.echo(render_status(stack, current), nl=False)
