"""A git repository as CI checks it out for a pull request: BASE committed on main, HEAD on top.

`pr(changes)` builds the repository: BASE holds plans/prod.yaml (the saas-startup
example, clean) and the exit plan it names; `changes` (path -> text, a
`Symlink`, or None to delete) are applied and committed as HEAD on a branch, as
a pull request would. `ci(*args)` runs the CLI in the checkout as a CI job
does, and returns (exit code, stdout, stderr).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from provision.cli.main import cli

REPO_ROOT = Path(__file__).resolve().parents[2]
BASE_PLAN = (REPO_ROOT / "examples" / "saas-startup.yaml").read_text(encoding="utf-8")
EXIT_PLAN = "# Exit plan: Nightwatch\n\nHand the SOC back within 30 days.\n"
TODAY = "2026-06-01"
# What CI runs on a pull request (README: "Reviewing outsourcing changes in pull requests").
DIFF = ["diff", "git:main:plans/prod.yaml", "plans/prod.yaml", "--fail-on-weakening", "--today", TODAY]
VALIDATE = ["validate", "plans/", "--today", TODAY]


@dataclass(frozen=True)
class Symlink:
    target: str  # absolute, or relative to the link's directory


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=ci", "-c", "user.email=ci@example.com", *args], cwd=repo, check=True,
                   capture_output=True)


@pytest.fixture
def pr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    def make(changes: dict[str, str | Symlink | None], base: dict[str, str] | None = None) -> Path:
        repo = tmp_path / "repo"
        files = {"plans/prod.yaml": BASE_PLAN, "docs/exit/nightwatch.md": EXIT_PLAN, **(base or {})}
        for name, text in files.items():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            (repo / name).write_text(text, encoding="utf-8")
        _git(repo, "init", "-q", "-b", "main")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", "base")
        _git(repo, "checkout", "-q", "-b", "pull-request")
        for name, change in changes.items():
            path = repo / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.is_symlink() or path.exists():
                path.unlink()
            if isinstance(change, Symlink):
                path.symlink_to(change.target)
            elif change is not None:
                path.write_text(change, encoding="utf-8")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", "head")
        monkeypatch.chdir(repo)
        monkeypatch.delenv("NO_COLOR", raising=False)
        return repo

    return make


def _ci(*args: str) -> Run:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def ci() -> Callable[..., Run]:
    """`ci(*args)`: the CLI run in the checkout, as a CI job runs it."""
    return _ci


@pytest.fixture
def base_plan() -> str:
    """BASE's plans/prod.yaml: the saas-startup example, clean under the default policies."""
    return BASE_PLAN


@pytest.fixture
def commands() -> dict[str, list[str]]:
    """The two commands CI runs on a pull request: validate the plans, review the change."""
    return {"validate": list(VALIDATE), "diff": list(DIFF)}


@pytest.fixture
def symlink() -> type[Symlink]:
    """`symlink(target)`: a change that makes the path a symbolic link."""
    return Symlink


@pytest.fixture
def repo_file() -> Callable[[str, str], None]:
    """`repo_file(path, text)`: write a file into the checkout without committing it."""
    def write(name: str, text: str) -> None:
        path = Path.cwd() / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    return write
