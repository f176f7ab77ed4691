"""Build the Pulumi CLI from its Go modules into the versioned cache.

A tiny wrapper module (go.mod.tmpl plus a tools.go that imports the CLI's main
package) pins github.com/pulumi/pulumi/pkg/v3 to the pip package's version;
`go mod tidy` resolves it and `go build` compiles it with the version ldflag.
The build happens in a temporary directory beside the cache entry and is
renamed into place, under a file lock, so concurrent installs never see or
leave a half-built engine.
"""

from __future__ import annotations

import fcntl
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Callable, Iterator

from provision.stacks.engine.locate import (
    LAUNCHER_NAME,
    SOURCE_CACHE,
    Engine,
    cached_engine,
    cli_version,
    engine_dir,
    write_launcher,
)

Progress = Callable[[str], None]

CLI_PACKAGE = "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
VERSION_LDFLAG = "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"
TOOLS_GO = f'//go:build tools\n\npackage tools\n\nimport _ "{CLI_PACKAGE}"\n'
HEARTBEAT_SECONDS = 20.0


class EngineBuildError(Exception):
    """The engine could not be built; the message says why and what to do."""


def go_missing_message(version: str) -> str:
    return (
        f"The Pulumi engine (the `pulumi` CLI, version {version}) is not installed, and Go is not "
        "available to build it.\n"
        "Either install Pulumi itself, matching the pulumi Python package:\n"
        f"  curl -fsSL https://get.pulumi.com | sh -s -- --version {version}\n"
        f"  (or your package manager, e.g. `brew install pulumi`, then check `pulumi version` says v{version})\n"
        "and make sure `pulumi` is on PATH; or install Go 1.25 or newer (https://go.dev/doc/install, "
        "e.g. `apt-get install golang` or `brew install go`) and run `provision engine install`, which "
        "builds it from source (about 6 minutes on 2 cores, 2.5 GB of RAM, 3.5 GB of Go caches)."
    )


def render_go_mod(version: str) -> str:
    template = resources.files("provision.stacks.engine").joinpath("go.mod.tmpl").read_text()
    return template.replace("{version}", version)


def build_log(version: str) -> Path:
    """The log of the last build of `version` (kept outside the staging dir so failures keep it)."""
    return engine_dir(version).parent / f"v{version}.build.log"


@contextmanager
def install_lock(version: str, progress: Progress) -> Iterator[None]:
    """Hold the per-version build lock; waits (and says so) while another install runs."""
    lock_path = engine_dir(version).parent / f".v{version}.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            progress(f"Another `provision engine install` is building v{version}; waiting for it...")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_engine(version: str, progress: Progress, go: str | None = None) -> Engine:
    """Build engine `version` into the cache (or reuse one a concurrent install just built)."""
    go = go or shutil.which("go")
    if go is None:
        raise EngineBuildError(go_missing_message(version))
    with install_lock(version, progress):
        done = cached_engine(version)
        if done is not None:
            return done
        final = engine_dir(version)
        staging = Path(tempfile.mkdtemp(prefix=f".v{version}-build-", dir=final.parent))
        try:
            _build_into(staging, version, go, progress)
            staging.chmod(0o755)  # mkdtemp makes it private; the engine is not a secret
            if final.exists():  # a broken leftover: never complete, or the binary was deleted
                shutil.rmtree(final)
            os.rename(staging, final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    engine = cached_engine(version)
    if engine is None:
        raise EngineBuildError(f"The engine built into {final} does not run; see {build_log(version)}.")
    return engine


def _build_into(root: Path, version: str, go: str, progress: Progress) -> None:
    src, bin_dir = root / "src", root / "bin"
    src.mkdir()
    (src / "go.mod").write_text(render_go_mod(version))
    (src / "tools.go").write_text(TOOLS_GO)
    log = build_log(version)
    log.write_text("")
    started = time.monotonic()
    progress(f"Building the Pulumi engine v{version} from its Go modules with {go} (about 6 minutes on 2 cores).")
    progress("[1/2] resolving Go modules (go mod tidy)")
    _run_go([go, "mod", "tidy"], src, log, progress, started, "modules downloaded")
    progress("[2/2] compiling the pulumi CLI (go build)")
    ldflags = f"-X {VERSION_LDFLAG}=v{version}"
    _run_go(
        [go, "build", "-v", "-buildvcs=false", "-o", str(bin_dir / "pulumi"), "-ldflags", ldflags, CLI_PACKAGE],
        src,
        log,
        progress,
        started,
        "packages compiled",
    )
    write_launcher(bin_dir)
    found = cli_version(bin_dir / "pulumi")
    if found != version:
        raise EngineBuildError(f"The freshly built engine reports version {found!r}, expected {version}.")
    progress(f"Built the Pulumi engine v{version} in {_elapsed(started)}.")


def _run_go(cmd: list[str], cwd: Path, log: Path, progress: Progress, started: float, unit: str) -> None:
    """Run a go command, logging its output and reporting a heartbeat while it works."""
    lines: queue.Queue[str | None] = queue.Queue()
    with open(log, "a") as sink:
        sink.write(f"$ {' '.join(cmd)}\n")
        proc = subprocess.Popen(
            cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
        )
        reader = threading.Thread(target=_pump, args=(proc, lines), daemon=True)
        reader.start()
        count, tail = 0, []
        last_beat = time.monotonic()
        while True:
            try:
                line = lines.get(timeout=HEARTBEAT_SECONDS)
            except queue.Empty:
                line = ""
            if line is None:
                break
            if line:
                sink.write(line)
                count += 1
                tail = (tail + [line.rstrip()])[-15:]
            if time.monotonic() - last_beat >= HEARTBEAT_SECONDS:
                progress(f"      ... {count} {unit}, {_elapsed(started)} elapsed")
                last_beat = time.monotonic()
        code = proc.wait()
    if code != 0:
        detail = "\n".join(tail)
        raise EngineBuildError(f"`go {cmd[1]}` failed (exit {code}); full log in {log}:\n{detail}")


def _pump(proc: subprocess.Popen, lines: queue.Queue) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.put(line)
    lines.put(None)


def _elapsed(started: float) -> str:
    seconds = int(time.monotonic() - started)
    return f"{seconds // 60}m{seconds % 60:02d}s"


__all__ = ["EngineBuildError", "LAUNCHER_NAME", "SOURCE_CACHE", "build_engine", "go_missing_message"]
