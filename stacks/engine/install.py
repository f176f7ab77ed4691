"""Get a usable engine: the one found, or a fresh build. Never a download at run time."""

from __future__ import annotations

from provision.stacks.engine.build import Progress, build_engine
from provision.stacks.engine.locate import (
    SOURCE_PATH,
    Engine,
    cached_engine,
    launcher_dir,
    locate,
    sdk_version,
    write_launcher,
)


def _quiet(_: str) -> None:
    pass


def ensure_engine(progress: Progress = _quiet, *, build: bool = False) -> Engine:
    """The engine to run, building it into the cache when none is usable.

    `build=True` builds the cached engine even when a `pulumi` of another
    version is on PATH (a matching one on PATH is still preferred).
    """
    want = sdk_version()
    engine = locate(want)
    if engine is None or (build and engine.version != want):
        engine = cached_engine(want) or build_engine(want, progress)
    # Launchers of older provision versions are rewritten in place.
    write_launcher(launcher_dir() if engine.source == SOURCE_PATH else engine.bin_dir)
    return engine
