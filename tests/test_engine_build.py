"""Building the engine from Go modules, with a fake `go` that records what it is asked."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from provision.stacks.engine import build as engine_build
from provision.stacks.engine import locate as loc
from provision.stacks.engine.build import EngineBuildError, build_engine, build_log, go_missing_message
from provision.stacks.engine.install import ensure_engine

WANT = loc.sdk_version()

FAKE_GO = r"""#!/bin/sh
echo "$*" >> "$FAKE_GO_LOG"
case "$1" in
  mod)
    echo "go: downloading github.com/pulumi/pulumi/pkg/v3 v$FAKE_GO_VERSION"
    touch go.sum
    exit "${FAKE_GO_TIDY_EXIT:-0}" ;;
  build)
    sleep "${FAKE_GO_SLEEP:-0}"
    out=""; ver=""
    while [ $# -gt 0 ]; do
      case "$1" in
        -o) out="$2"; shift ;;
        -ldflags) ver="${2##*=}"; shift ;;
      esac
      shift
    done
    [ -n "$FAKE_GO_BAD_VERSION" ] && ver="$FAKE_GO_BAD_VERSION"
    mkdir -p "$(dirname "$out")"
    printf '#!/bin/sh\necho %s\n' "$ver" > "$out"
    chmod +x "$out"
    echo "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
    [ "${FAKE_GO_BUILD_EXIT:-0}" = 0 ] || { echo "compile: something broke"; exit "$FAKE_GO_BUILD_EXIT"; }
    ;;
esac
"""


@pytest.fixture
def fake_go(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A fake `go` first on an otherwise bare PATH, an empty cache; returns the call log."""
    bin_dir = tmp_path / "gobin"
    bin_dir.mkdir()
    go = bin_dir / "go"
    go.write_text(FAKE_GO)
    go.chmod(go.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / "go-calls.log"
    log.touch()
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin:/bin")
    monkeypatch.setenv("PROVISION_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("FAKE_GO_LOG", str(log))
    monkeypatch.setenv("FAKE_GO_VERSION", WANT)
    return log


def calls(log: Path, verb: str) -> list[str]:
    return [line for line in log.read_text().splitlines() if line.split(" ", 1)[0] == verb]


def leftovers() -> list[str]:
    return sorted(p.name for p in (loc.cache_root() / "engine").iterdir() if ".v" in p.name and "-build-" in p.name)


def test_builds_into_the_versioned_cache(fake_go: Path) -> None:
    messages: list[str] = []
    engine = ensure_engine(messages.append)
    home = loc.engine_dir(WANT)
    assert (engine.binary, engine.version, engine.source) == (home / "bin" / "pulumi", WANT, "cache")
    assert (home / "bin" / loc.LAUNCHER_NAME).read_text() == loc.LAUNCHER_SCRIPT
    go_mod = (home / "src" / "go.mod").read_text()
    assert f"github.com/pulumi/pulumi/pkg/v3 v{WANT}" in go_mod
    assert f"github.com/pulumi/pulumi/sdk/v3 v{WANT}" in go_mod
    assert "replace github.com/atotto/clipboard => github.com/tgummerer/clipboard" in go_mod
    assert (home / "src" / "tools.go").read_text() == engine_build.TOOLS_GO
    assert calls(fake_go, "mod") == ["mod tidy"]
    [build] = calls(fake_go, "build")
    assert build.startswith("build -v -buildvcs=false -o ")
    assert build.endswith(
        f"/bin/pulumi -ldflags -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v{WANT} "
        "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
    )
    assert messages[1:3] == ["[1/2] resolving Go modules (go mod tidy)", "[2/2] compiling the pulumi CLI (go build)"]
    assert messages[-1].startswith(f"Built the Pulumi engine v{WANT} in ")
    assert leftovers() == []


def test_cached_engine_is_not_rebuilt(fake_go: Path) -> None:
    first = ensure_engine()
    second = ensure_engine()
    assert first == second
    assert len(calls(fake_go, "build")) == 1


def test_concurrent_installs_build_once(fake_go: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_GO_SLEEP", "1")
    results: list[object] = []
    messages: list[str] = []

    def install() -> None:
        results.append(build_engine(WANT, messages.append))

    threads = [threading.Thread(target=install) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2 and results[0] == results[1]
    assert len(calls(fake_go, "build")) == 1
    assert f"Another `provision engine install` is building v{WANT}; waiting for it..." in messages
    assert leftovers() == []


def test_failed_build_leaves_no_engine_and_keeps_the_log(fake_go: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_GO_BUILD_EXIT", "3")
    with pytest.raises(EngineBuildError) as err:
        ensure_engine()
    log = build_log(WANT)
    assert str(err.value).startswith(f"`go build` failed (exit 3); full log in {log}:\n")
    assert str(err.value).endswith("compile: something broke")
    assert "compile: something broke" in log.read_text()
    assert not loc.engine_dir(WANT).exists()
    assert leftovers() == []


def test_engine_reporting_another_version_is_rejected(fake_go: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_GO_BAD_VERSION", "v0.0.1")
    with pytest.raises(EngineBuildError, match=rf"reports version '0.0.1', expected {WANT}"):
        ensure_engine()
    assert not loc.engine_dir(WANT).exists()


def test_broken_leftover_is_replaced(fake_go: Path) -> None:
    stale = loc.engine_dir(WANT) / "bin"
    stale.mkdir(parents=True)
    (stale / "pulumi").write_text("not an engine")
    engine = ensure_engine()
    assert engine.binary.read_text().startswith("#!/bin/sh")


def test_heartbeat_while_go_is_quiet(fake_go: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_GO_SLEEP", "1")
    monkeypatch.setattr(engine_build, "HEARTBEAT_SECONDS", 0.1)
    messages: list[str] = []
    ensure_engine(messages.append)
    assert any(m.startswith("      ... 0 packages compiled, 0m0") for m in messages)


def test_without_go_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # neither pulumi nor go
    monkeypatch.setenv("PROVISION_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(EngineBuildError) as err:
        ensure_engine()
    assert str(err.value) == go_missing_message(WANT)
    assert f"curl -fsSL https://get.pulumi.com | sh -s -- --version {WANT}" in str(err.value)
    assert "install Go 1.25 or newer" in str(err.value)
