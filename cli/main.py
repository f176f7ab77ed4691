"""The `provision` command group.

Subcommands are imported lazily, by name, so `provision validate` never pays for
pulumi or boto3 imports that only `apply` and friends need.
"""

from __future__ import annotations

import importlib

import click

from provision import __version__

# name -> (module under provision.cli.commands, attribute, one-line help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "validate": ("validate", "validate", "Check plans against the schema and governance policies."),
    "policies": ("policies", "policies", "List the governance policy catalogue."),
    "explain": ("explain", "explain", "Show one policy in full."),
    "schema": ("schema", "schema", "Print the plan JSON Schema."),
    "cost": ("cost", "cost", "Estimate a plan's monthly AWS cost per function, in total and against its budget."),
    "diff": ("diff", "diff", "Review a plan change: functions, providers, residency, SLAs, vendors, policy, cost."),
    "plan": ("plan", "plan", "Preview what apply would change, grouped by function."),
    "apply": ("apply", "apply", "Provision a plan (sandbox by default) with live progress."),
    "destroy": ("destroy", "destroy", "Delete everything a plan provisioned."),
    "status": ("status", "status", "Show a plan's deployed resources, outputs and last update."),
    "drift": ("drift", "drift", "Report what changed on the target outside provision (exit 2 on drift)."),
    "unlock": ("unlock", "unlock", "Release a plan's stack after a run that was killed mid-update."),
    "access": ("access", "access", "Show what each vendor can reach: roles, actions by level, data classes; --live compares."),
    "verify": ("verify", "verify", "Audit a plan's live resources: encryption, access, detection, vendor roles, tags."),
    "engine": ("engine", "engine", "Install or inspect the Pulumi engine."),
    "sandbox": ("sandbox", "sandbox", "Start, inspect, stop or reset the local AWS sandbox."),
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        entry = COMMANDS.get(name)
        if entry is None:
            return None
        module, attr, _ = entry
        return getattr(importlib.import_module(f"provision.cli.commands.{module}"), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Listing help must not import every command module.
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="provision")
def cli() -> None:
    """Infrastructure as code for IT outsourcing.

    Declare which IT functions go to which managed provider, under which SLA,
    data classification, compliance regime and region; validate the plan in CI,
    review its diff in pull requests, and provision it on AWS (or the local
    sandbox) with Pulumi.

    \b
    Typical flow:
      provision validate plans/            # schema + governance policies, offline
      provision plan plans/prod.yaml       # preview against the target
      provision apply plans/prod.yaml      # provision it
    """


def main() -> None:
    cli(prog_name="provision")
