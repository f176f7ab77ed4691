"""`provision engine`: install and inspect the Pulumi engine."""

from __future__ import annotations

import time

import click

from provision.cli.stack_options import clear_errors


@click.group("engine")
def engine() -> None:
    """Install and inspect the Pulumi engine (the `pulumi` CLI) that provisions plans.

    A `pulumi` on PATH with the same version as the pulumi Python package is
    used as is; otherwise the engine is built from its Go modules into a
    versioned cache: ${PROVISION_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/provision}/engine/.
    Nothing is downloaded when a plan runs.
    """


@engine.command("install")
@click.option("--build", is_flag=True, help="Build the matching version even if another `pulumi` is on PATH.")
def install(build: bool) -> None:
    """Make sure a usable engine exists, building it if needed (idempotent).

    Building needs Go 1.25+ and takes about 6 minutes on 2 cores; an
    existing engine makes this instant.

    \b
    Exit codes:
      0  the engine is ready
      1  it could not be found nor built (the message says what to install)
    """
    from provision.stacks.engine.install import ensure_engine

    started = time.monotonic()
    with clear_errors():
        found = ensure_engine(lambda line: click.echo(line, err=True), build=build)
    for note in found.notes:
        click.echo(f"Note: {note}", err=True)
    click.echo(f"Pulumi engine v{found.version} ready ({found.source}): {found.binary} [{time.monotonic() - started:.1f}s]")


@engine.command("info")
def info() -> None:
    """Show which engine would run: path, version and where it comes from.

    \b
    Exit codes:
      0  an engine is available
      1  none is (run `provision engine install`)
    """
    from provision.stacks.engine.locate import engine_dir, locate, sdk_version

    found = locate()
    if found is None:
        raise click.ClickException(
            f"No Pulumi engine v{sdk_version()} found on PATH or in {engine_dir()}; run `provision engine install`."
        )
    click.echo(f"path:    {found.binary}")
    click.echo(f"version: {found.version}")
    click.echo(f"source:  {found.source}")
    click.echo(f"sdk:     pulumi Python package {sdk_version()}")
    for note in found.notes:
        click.echo(f"note:    {note}")
