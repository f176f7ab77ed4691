"""`provision validate`: check plans offline and report every finding in one of six formats."""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

import click

from provision.cli.formats import registry
from provision.cli.formats.base import Summary
from provision.cli.usage_errors import usage_errors
from provision.validation import pipeline


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "-f", "--format", "format_name", type=click.Choice(registry.names()), default="text", show_default=True,
    help="Report format.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
    callback=lambda ctx, param, value: _writable(value),
    help="Write the report to FILE (atomically) instead of standard output.",
)
@click.option(
    "--policy-config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Policy overrides to use (default: provision-policies.yaml found next to the plans or above).",
)
@click.option(
    "--today", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
    help="Judge waiver and contract dates as of this day, for reproducible CI runs.",
)
@click.option("-q", "--quiet", is_flag=True, help="Text format: print only the policy config and the summary line.")
@click.option("--allow-outside-tree", is_flag=True,
              help="Read plan and config files that resolve outside their working tree (refused by default: "
                   "a symlink in a pull request must not make CI read other files).")
@click.pass_context
def validate(
    ctx: click.Context,
    paths: tuple[str, ...],
    format_name: str,
    output: Path | None,
    policy_config: Path | None,
    today: dt.datetime | None,
    quiet: bool,
    allow_outside_tree: bool,
) -> None:
    """Check outsourcing plans against the schema and the governance policies.

    PATH may be a plan file, a directory (searched recursively for YAML files
    of kind OutsourcingPlan) or a glob such as 'plans/**/*.yaml'. Every file
    is checked and every problem it can know of is reported in one run;
    nothing is sent anywhere. Schema errors inside a function set that
    function aside and the rest of the plan is still checked; a duplicate key
    is reported and its last value checked. What still hides later checks (an
    unreadable file, schema errors outside the functions, dangling references
    before policies) is listed in docs/rules.md. Every report names the policy
    config it applied (its path, or defaults).

    \b
    Exit codes:
      0  no findings, or only advisory and waived ones
      1  a mandatory policy is violated
      2  a file is unreadable or invalid, or the command was misused

    \b
    Examples:
      provision validate examples/saas-startup.yaml
      provision validate plans/ --format sarif -o provision.sarif
      provision validate 'plans/*.yaml' -f github            # annotations in GitHub Actions
      provision validate plans/ -f junit -o report.xml       # test report for CI
      provision validate plans/ -f markdown > comment.md     # pull-request comment
      provision validate plans/ --today 2026-01-01 -q        # reproducible, summary only
    """
    with usage_errors():
        reports = pipeline.validate_paths(
            paths,
            policy_config_path=str(policy_config) if policy_config else None,
            today=today.date() if today else None,
            allow_outside=allow_outside_tree,
        )
    summary = Summary.of(reports)
    options = registry.Options(color=output is None and _wants_colour(ctx), quiet=quiet)
    text = registry.create(format_name, options).render(reports)
    if output is None:
        click.echo(text, nl=False, color=options.color)
    else:
        write_atomically(output, text)
        click.echo(f"Wrote the {format_name} report to {output}. {summary.line()}", err=True)
    ctx.exit(summary.exit_code)


def _wants_colour(ctx: click.Context) -> bool:
    if os.environ.get("NO_COLOR"):  # https://no-color.org: set and non-empty
        return False
    if ctx.color is not None:
        return ctx.color
    return _stdout_is_terminal()


def _stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def _writable(target: Path | None) -> Path | None:
    # Checked before validating, so a typo in -o fails fast rather than after the whole run.
    if target is not None and not target.parent.is_dir():
        raise click.BadParameter(f"directory '{target.parent}' does not exist.", param_hint="'--output'")
    return target


def write_atomically(target: Path, text: str) -> None:
    """Replace `target` with `text` in one step, so readers never see half a report."""
    directory = _writable(target).parent
    try:
        descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        raise click.BadParameter(f"cannot write to '{directory}': {error.strerror}.", param_hint="'--output'") from None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        # mkstemp makes the file private; a report gets the usual permissions.
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise click.BadParameter(f"cannot write '{target}': {error.strerror}.", param_hint="'--output'") from None


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
