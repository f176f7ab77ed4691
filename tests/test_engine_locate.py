"""Finding the engine: PATH versus the versioned cache, with fake `pulumi` binaries."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from provision.stacks.engine import locate as loc
from provision.stacks.engine.install import ensure_engine

WANT = loc.sdk_version()


def fake_pulumi(directory: Path, version: str, *, launcher: bool = False) -> Path:
    """A `pulumi` that only answers `pulumi version`."""
    directory.mkdir(parents=True, exist_ok=True)
    binary = directory / "pulumi"
    binary.write_text(f"#!/bin/sh\n[ \"$1\" = version ] && echo v{version}\n")
    binary.chmod(binary.stat().st_mode | stat.S_IXUSR)
    if launcher:
        loc.write_launcher(directory)
    return binary


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty cache and a PATH with nothing but the shell's basics."""
    monkeypatch.setenv("PROVISION_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    return tmp_path


def put_on_path(monkeypatch: pytest.MonkeyPatch, directory: Path) -> None:
    monkeypatch.setenv("PATH", f"{directory}{os.pathsep}/usr/bin:/bin")


def test_nothing_found(isolated: Path) -> None:
    assert loc.locate() is None


def test_matching_pulumi_on_path_wins(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    binary = fake_pulumi(isolated / "usr" / "bin", WANT, launcher=True)
    fake_pulumi(loc.engine_dir(WANT) / "bin", WANT, launcher=True)  # a cache too: PATH still wins
    put_on_path(monkeypatch, binary.parent)
    found = loc.locate()
    assert (found.binary, found.version, found.source, found.notes) == (binary, WANT, "PATH", ())
    assert found.plugin_dirs == (loc.launcher_dir(),)  # ours first on PATH: it serves previews


def test_path_engine_runs_our_launcher(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    binary = fake_pulumi(isolated / "opt" / "bin", WANT)
    put_on_path(monkeypatch, binary.parent)
    engine = ensure_engine()
    assert engine.plugin_dirs == (loc.launcher_dir(),)
    launcher = loc.launcher_dir() / loc.LAUNCHER_NAME
    assert launcher.read_text() == loc.LAUNCHER_SCRIPT
    assert os.access(launcher, os.X_OK)


def test_mismatched_path_prefers_cache(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = fake_pulumi(isolated / "other" / "bin", "3.100.0", launcher=True)
    cached = fake_pulumi(loc.engine_dir(WANT) / "bin", WANT, launcher=True)
    put_on_path(monkeypatch, other.parent)
    found = loc.locate()
    assert (found.binary, found.source) == (cached, "cache")
    assert found.notes == (
        f"The pulumi on PATH ({other}) is version 3.100.0, but the pulumi Python package is {WANT}. "
        f"Using the cached build of {WANT}.",
    )


def test_mismatched_path_without_cache_is_used_with_a_note(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = fake_pulumi(isolated / "other" / "bin", "3.100.0", launcher=True)
    put_on_path(monkeypatch, other.parent)
    found = loc.locate()
    assert (found.binary, found.version, found.source) == (other, "3.100.0", "PATH")
    assert "Using it anyway; `provision engine install --build` builds" in found.notes[0]


@pytest.mark.parametrize(
    "layout",
    ["no launcher", "wrong version", "not executable"],
)
def test_incomplete_cache_is_not_used(isolated: Path, layout: str) -> None:
    bin_dir = loc.engine_dir(WANT) / "bin"
    binary = fake_pulumi(bin_dir, "3.1.0" if layout == "wrong version" else WANT, launcher=layout != "no launcher")
    if layout == "not executable":
        binary.chmod(0o644)
    assert loc.cached_engine(WANT) is None


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"PROVISION_CACHE_DIR": "/x/cache", "XDG_CACHE_HOME": "/y"}, "/x/cache"),
        ({"XDG_CACHE_HOME": "/y"}, "/y/provision"),
        ({"HOME": "/home/u"}, "/home/u/.cache/provision"),
    ],
)
def test_cache_root(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str) -> None:
    for name in ("PROVISION_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert loc.cache_root() == Path(expected)
    assert loc.engine_dir("3.2.1") == Path(expected) / "engine" / "v3.2.1"


def counting_pulumi(directory: Path, version: str) -> tuple[Path, Path]:
    """A `pulumi` that answers `pulumi version` and counts how often it was asked."""
    directory.mkdir(parents=True, exist_ok=True)
    binary, calls = directory / "pulumi", directory / "calls"
    binary.write_text(f'#!/bin/sh\necho x >> "{calls}"\necho v{version}\n')
    binary.chmod(0o755)
    return binary, calls


def asked(calls: Path) -> int:
    return len(calls.read_text().splitlines()) if calls.exists() else 0


def test_a_binarys_version_is_asked_once_and_remembered(isolated: Path) -> None:
    binary, calls = counting_pulumi(isolated / "bin", "3.1.0")
    assert [loc.cli_version(binary) for _ in range(3)] == ["3.1.0"] * 3
    assert asked(calls) == 1


def test_a_rewritten_binary_is_asked_again(isolated: Path) -> None:
    binary, calls = counting_pulumi(isolated / "bin", "3.1.0")
    assert loc.cli_version(binary) == "3.1.0"
    counting_pulumi(isolated / "bin", "3.2.0")
    assert loc.cli_version(binary) == "3.2.0"
    assert asked(calls) == 2


def test_an_unreadable_memory_of_versions_only_costs_a_run(isolated: Path) -> None:
    binary, calls = counting_pulumi(isolated / "bin", "3.1.0")
    loc.cli_version(binary)
    (isolated / "cache" / "engine" / "versions.json").write_text("{not json")
    assert loc.cli_version(binary) == "3.1.0"
    assert asked(calls) == 2
