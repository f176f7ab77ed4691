"""`provision access`: what each vendor can reach, planned offline or read live."""

from __future__ import annotations

import json
from pathlib import Path

import click

from provision.cli.stack_options import clear_errors, load_checked_plan, open_deployed_stack, stack_options


@click.command("access")
@click.argument("plan_file", metavar="PLAN", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--vendor", metavar="NAME", help="Only this vendor, with everything to revoke or rotate when it leaves.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--live", is_flag=True, help="Read the roles from the target's IAM and compare them with the plan.")
@stack_options
def access(plan_file: Path, vendor: str | None, fmt: str, live: bool, target: str, state_dir, backend) -> None:
    """Show what each external vendor of PLAN can reach, and how.

    For every vendor: the roles it assumes (session limit, boundary, trust),
    then per function it operates, the actions by service and level (read,
    write, destructive, permissions) on which resources, with their data
    class. Computed offline from the policy builders the stacks use; ids
    known only after apply show as {function.thing} placeholders.

    With --live, the roles are read from the target's IAM and evaluated
    (boundary ∩ allow − deny); any difference from the plan is listed.
    The JSON format is described by docs/access.schema.json.

    \b
    Examples:
      provision access examples/eu-fintech.yaml
      provision access examples/us-healthcare.yaml --vendor claimsco --format markdown
      provision access examples/saas-startup.yaml --live

    \b
    Exit codes:
      0  done (with --live: live access is as planned)
      1  with --live: live access differs from the plan, nothing is deployed, or the target failed
      2  PLAN is invalid, an unknown --vendor, or bad usage
    """
    from provision.cli.access_render import render_markdown, render_text
    from provision.stacks.access.document import UnknownVendor, access_document

    found: list[str] = []
    with clear_errors():
        plan = load_checked_plan(plan_file, enforce_policies=False)
        try:
            if live:
                doc, found = _live(plan, plan_file, vendor, target, state_dir, backend)
            else:
                doc = access_document(plan, vendor)
        except UnknownVendor as exc:
            raise click.UsageError(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps(doc, indent=2))
    else:
        render = render_markdown if fmt == "markdown" else render_text
        click.echo(render(doc, offboarding=vendor is not None), nl=False)
        if live:
            click.echo("".join(f"DIFFERENCE  {d}\n" for d in found) or "Live access is as planned.\n", nl=False)
    if found:
        raise click.ClickException(f"{len(found)} differences between live and planned vendor access of {plan.name}.")


def _live(plan, plan_file: Path, vendor, target: str, state_dir, backend):
    from provision.stacks.access.document import live_document
    from provision.stacks.access.live import account_of, exports_of
    from provision.stacks.verify.live import deployment_of, target_clients

    stack = open_deployed_stack(plan, plan_file, target=target, state_dir=state_dir, backend=backend)
    deployment = deployment_of(stack.ops)
    outputs = exports_of(deployment)
    if not outputs:
        raise click.ClickException(f"nothing deployed for {plan.name}/{plan.environment} on target {target}.")
    clients = target_clients(stack.target)
    return live_document(plan, clients("iam"), account_of(clients), outputs, vendor)
