"""`provision schema`: print the plan JSON Schema, for editors and other tools."""

from __future__ import annotations

import json

import click

from provision.schemas.schema_check import schema_text


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("which", type=click.Choice(["plan", "policy-config"]), default="plan")
def schema(which: str) -> None:
    """Print the JSON Schema (draft 2020-12) of outsourcing plans, or of the
    policy config (provision-policies.yaml) with `policy-config`.

    Every property has a title, a description and examples, so an editor with
    a YAML language server completes and explains plans. Point a plan at the
    schema with a first line such as:

    \b
      # yaml-language-server: $schema=../schemas/outsourcing-plan.v1.json

    \b
    Exit codes:
      0  printed

    \b
    Examples:
      provision schema > outsourcing-plan.v1.json
      provision schema | jq '.properties.spec.properties | keys'
      provision schema policy-config > provision-policies.schema.json
    """
    if which == "policy-config":
        from provision.policies.config_schema import config_schema

        click.echo(json.dumps(config_schema(), indent=2, ensure_ascii=False))
        return
    click.echo(schema_text(), nl=False)
