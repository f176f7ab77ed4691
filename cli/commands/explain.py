"""`provision explain ID`: one governance policy in full."""

from __future__ import annotations

import difflib
import json
import textwrap

import click

from provision.cli.formats.base import absolute_url

from provision.policies.base import Policy
from provision.policies.registry import get, ids


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("policy_id", metavar="ID")
@click.option(
    "-f", "--format", "format_name", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="Output format.",
)
def explain(policy_id: str, format_name: str) -> None:
    """Show one policy: what it checks and why, its parameters, how to fix it.

    ID is a policy id as printed by `provision policies` or in a finding,
    e.g. PRV-RES-001 (case does not matter).

    \b
    Exit codes:
      0  shown
      2  no policy has that id (the nearest ids are suggested)

    \b
    Examples:
      provision explain PRV-BAK-003
      provision explain prv-ven-001 --format json
    """
    policy = _lookup(policy_id)
    if format_name == "json":
        click.echo(json.dumps(_as_json(policy), indent=2))
    else:
        click.echo(_as_text(policy), nl=False)


def _lookup(policy_id: str) -> Policy:
    wanted = policy_id.strip().upper()
    try:
        return get(wanted)
    except KeyError:
        close = difflib.get_close_matches(wanted, ids(), n=3, cutoff=0.6)
        if close:
            hint = " Did you mean " + (f"{', '.join(close[:-1])} or " if len(close) > 1 else "") + f"{close[-1]}?"
        else:
            hint = " See `provision policies` for the list."
        raise click.UsageError(f"No policy {policy_id!r}.{hint}") from None


def _as_json(policy: Policy) -> dict:
    return {
        "id": policy.id,
        "title": policy.title,
        "enforcement": policy.enforcement.value,
        "tags": list(policy.tags),
        "description": policy.description,
        "params": dict(policy.params),
        "remediation": policy.remediation,
        "docsUrl": absolute_url(policy.docs_url),
    }


def _wrap(text: str) -> str:
    return textwrap.fill(text, width=88, initial_indent="  ", subsequent_indent="  ")


def _as_text(policy: Policy) -> str:
    lines = [
        f"{policy.id}  {policy.title}",
        "",
        f"Enforcement: {policy.enforcement.value} (default; provision-policies.yaml may override it)",
        f"Tags: {', '.join(policy.tags)}",
        "",
        "Description:",
        _wrap(policy.description),
        "",
        "Parameters:",
    ]
    if policy.params:
        lines += [f"  {name}: {json.dumps(value)}" for name, value in policy.params.items()]
    else:
        lines.append("  none")
    lines += ["", "Remediation:", _wrap(policy.remediation), "", f"Docs: {absolute_url(policy.docs_url)}", ""]
    return "\n".join(lines)
