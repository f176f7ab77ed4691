"""`provision policies`: the governance policy catalogue."""

from __future__ import annotations

import json
from pathlib import Path

import click

from provision.cli.formats.base import absolute_url

from provision.policies.config import PolicyConfig, PolicyConfigError, load_config
from provision.policies.registry import POLICIES


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-f", "--format", "format_name", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="Output format.",
)
@click.option(
    "--policy-config", type=click.Path(dir_okay=False, path_type=Path),
    help="Show enforcement as overridden by this provision-policies.yaml.",
)
def policies(format_name: str, policy_config: Path | None) -> None:
    """List the governance policies that `provision validate` applies.

    One line per policy: its id, its enforcement (mandatory findings fail
    validation, advisory ones are only reported, disabled ones do not run)
    and its title. `provision explain ID` shows a policy in full.

    \b
    Exit codes:
      0  listed
      2  the policy config is invalid, or the command was misused

    \b
    Examples:
      provision policies
      provision policies --format json | jq '.[] | select(.enforcement == "advisory")'
      provision policies --policy-config provision-policies.yaml
    """
    config = _config(policy_config)
    rows = [(p.id, config.enforcement(p).value, p.title) for p in POLICIES]
    if format_name == "json":
        doc = [
            {
                "id": p.id,
                "enforcement": config.enforcement(p).value,
                "title": p.title,
                "tags": list(p.tags),
                "params": config.params(p),
                "docsUrl": absolute_url(p.docs_url),
            }
            for p in POLICIES
        ]
        click.echo(json.dumps(doc, indent=2))
        return
    width_id = max(len(r[0]) for r in rows + [("ID", "", "")])
    width_level = max(len(r[1]) for r in rows + [("", "ENFORCEMENT", "")])
    for policy_id, level, title in [("ID", "ENFORCEMENT", "TITLE"), *rows]:
        click.echo(f"{policy_id:<{width_id}}  {level:<{width_level}}  {title}")


def _config(path: Path | None) -> PolicyConfig:
    try:
        return load_config(path) if path else PolicyConfig()
    except PolicyConfigError as exc:
        raise click.UsageError(str(exc)) from None
