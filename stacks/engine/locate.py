"""Find the Pulumi CLI: on PATH (a real install) or in our versioned cache.

The engine must match the pip `pulumi` package, whose version keys the cache:
`${PROVISION_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/provision}/engine/v<V>/bin/pulumi`.
Next to a cached binary sits `pulumi-resource-pulumi-python`, the launcher the
engine runs for dynamic providers.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field, replace
from pathlib import Path

LAUNCHER_NAME = "pulumi-resource-pulumi-python"
# The engine finds this plugin on PATH or next to its own binary; the workspace
# env sets PULUMI_PYTHON_CMD to the venv's python. It runs our provider host
# (stacks.engine.dynamic_host: Pulumi's, plus previews).
DYNAMIC_HOST = "provision.stacks.engine.dynamic_host"
LAUNCHER_SCRIPT = f'#!/bin/sh\nexec "${{PULUMI_PYTHON_CMD:-python3}}" -u -m {DYNAMIC_HOST} "$@"\n'

SOURCE_PATH = "PATH"
SOURCE_CACHE = "cache"


def sdk_version() -> str:
    """The version of the pip `pulumi` package, which the engine must match."""
    return importlib.metadata.version("pulumi")


def cache_root() -> Path:
    """Where provision caches things outside the repo (the engine, keyed by version)."""
    explicit = os.environ.get("PROVISION_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg).expanduser() / "provision"


def engine_dir(version: str | None = None) -> Path:
    """The cache directory of one engine version: holds bin/pulumi and the launcher."""
    return cache_root() / "engine" / f"v{version or sdk_version()}"


def launcher_dir() -> Path:
    """Where our launcher lives for a PATH engine that ships none."""
    return cache_root() / "engine" / "launcher"


@dataclass(frozen=True)
class Engine:
    """A usable Pulumi CLI."""

    binary: Path
    version: str
    source: str  # SOURCE_PATH | SOURCE_CACHE
    # Directories to put first on the engine's PATH so it finds the python launcher.
    plugin_dirs: tuple[Path, ...] = ()
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def bin_dir(self) -> Path:
        return self.binary.parent


def cli_version(binary: Path) -> str | None:
    """`pulumi version` without the leading v, or None when it does not run.

    Remembered per binary file (path, inode, size, times) in the cache: running it
    costs 0.15 s of CPU, which every command would otherwise pay before its work.
    """
    identity = _file_identity(binary)
    entry = _known_versions().get(str(binary))
    if identity is not None and isinstance(entry, list) and entry[:-1] == identity:
        return entry[-1]
    env = {**os.environ, "PULUMI_SKIP_UPDATE_CHECK": "true"}
    try:
        out = subprocess.run(
            [str(binary), "version"], capture_output=True, text=True, timeout=60, env=env, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    version = out[1:] if out.startswith("v") else out or None
    if identity is not None and version is not None:
        _remember_version(str(binary), [*identity, version])
    return version


def _versions_file() -> Path:
    return cache_root() / "engine" / "versions.json"


def _file_identity(binary: Path) -> list[int] | None:
    """What changes when the file is replaced or rewritten: inode, size, mtime, ctime."""
    try:
        st = binary.stat()
    except OSError:
        return None
    return [st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def _known_versions() -> dict[str, list]:
    try:
        known = json.loads(_versions_file().read_text())
    except (OSError, ValueError):
        return {}
    return known if isinstance(known, dict) else {}


def _remember_version(binary: str, entry: list) -> None:
    """Best effort: a cache that cannot be written only costs the next run a `pulumi version`."""
    known = {**_known_versions(), binary: entry}
    path = _versions_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(known))
        os.replace(tmp, path)
    except OSError:
        pass


def cached_engine(version: str) -> Engine | None:
    """The cached build of `version`, if complete and runnable."""
    home = engine_dir(version)
    binary, launcher = home / "bin" / "pulumi", home / "bin" / LAUNCHER_NAME
    if not (binary.is_file() and launcher.is_file()):
        return None
    found = cli_version(binary)
    if found != version:
        return None
    return Engine(binary=binary, version=found, source=SOURCE_CACHE, plugin_dirs=(binary.parent,))


def path_engine() -> tuple[Path, str | None] | None:
    """The `pulumi` on PATH and its version (None if it would not say)."""
    found = shutil.which("pulumi")
    if not found:
        return None
    binary = Path(found)
    return binary, cli_version(binary)


def locate(version: str | None = None) -> Engine | None:
    """The engine to use, or None when it has to be built.

    A `pulumi` on PATH wins when its version matches the pip package. When it
    does not match, a cached build of the right version is preferred; without
    one the PATH engine is used anyway, with a note saying so.
    """
    want = version or sdk_version()
    on_path = path_engine()
    if on_path is not None:
        binary, found = on_path
        if found == want:
            return Engine(binary=binary, version=found, source=SOURCE_PATH, plugin_dirs=_plugin_dirs_for(binary))
        note = (
            f"The pulumi on PATH ({binary}) is version {found or 'unknown'}, "
            f"but the pulumi Python package is {want}."
        )
        cached = cached_engine(want)
        if cached is not None:
            return replace(cached, notes=(f"{note} Using the cached build of {want}.",))
        if found is not None:
            return Engine(
                binary=binary,
                version=found,
                source=SOURCE_PATH,
                plugin_dirs=_plugin_dirs_for(binary),
                notes=(note + f" Using it anyway; `provision engine install --build` builds {want}.",),
            )
    return cached_engine(want)


def _plugin_dirs_for(binary: Path) -> tuple[Path, ...]:
    # Ours first on PATH: it wins over the launcher an official install ships next to the binary.
    return (launcher_dir(),)


def write_launcher(directory: Path) -> Path:
    """Write the python dynamic-provider launcher into `directory` (idempotent)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / LAUNCHER_NAME
    if not path.is_file() or path.read_text() != LAUNCHER_SCRIPT:
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(LAUNCHER_SCRIPT)
        tmp.chmod(0o755)
        os.replace(tmp, path)
    return path
