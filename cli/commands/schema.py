"""`provision schema`: print the plan JSON Schema, for editors and other tools."""

from __future__ import annotations

import click

from provision.schemas.schema_check import schema_text


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of outsourcing plans.

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
    """
    click.echo(schema_text(), nl=False)
