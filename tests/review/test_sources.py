"""Reading BASE and HEAD: files, and git:REV:path through `git show` in a scratch repository."""

from __future__ import annotations

import subprocess
from pathlib import Path

import click
import pytest

from provision.cli.review.sources import SourceError, SourceMissing, parse_git, read_source
from provision.cli.usage_errors import usage_errors


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=repo, check=True,
                   capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "prod.yaml").write_text("version: one\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "one")
    (tmp_path / "plans" / "prod.yaml").write_text("version: two\n")
    git(tmp_path, "commit", "-q", "-am", "two")
    return tmp_path


@pytest.mark.parametrize("spec, text", [
    ("git:HEAD:plans/prod.yaml", b"version: two\n"),
    ("git:HEAD~1:plans/prod.yaml", b"version: one\n"),
    ("git:main:plans/prod.yaml", b"version: two\n"),
    ("plans/prod.yaml", b"version: two\n"),
])
def test_reads_files_and_git_revisions(repo: Path, spec: str, text: bytes) -> None:
    source = read_source(spec, cwd=repo)
    assert (source.spec, source.text) == (spec, text)


@pytest.mark.parametrize("spec, error, message", [
    ("git:HEAD:plans/missing.yaml", SourceMissing,
     "git:HEAD:plans/missing.yaml: git show failed: fatal: path 'plans/missing.yaml' does not exist in 'HEAD'"),
    ("git:nosuchrev:plans/prod.yaml", SourceError, "git:nosuchrev:plans/prod.yaml: git show failed: fatal: "),
    ("plans/missing.yaml", SourceMissing, "plans/missing.yaml: no such file"),
    ("plans", SourceError, "plans: not a file"),
    ("git:HEAD", SourceError, "git:HEAD: expected git:REV:path, e.g. git:origin/main:plans/prod.yaml"),
    ("git::plans/prod.yaml", SourceError, "git::plans/prod.yaml: expected git:REV:path"),
    ("git:--output=x:plans/prod.yaml", SourceError,
     "git:--output=x:plans/prod.yaml: a git revision cannot start with '-'"),
])
def test_bad_sources_are_usage_errors(repo: Path, spec: str, error: type, message: str) -> None:
    with pytest.raises(error) as raised:
        read_source(spec, cwd=repo)
    assert str(raised.value).startswith(message)
    with pytest.raises(click.UsageError) as reported, usage_errors():  # as the commands report it
        read_source(spec, cwd=repo)
    assert reported.value.message == str(raised.value)
    assert reported.value.exit_code == 2


def test_outside_a_repository_git_says_so(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"^git:HEAD:plan.yaml: git show failed: fatal: not a git repository"):
        read_source("git:HEAD:plan.yaml", cwd=tmp_path)


def test_parse_git_keeps_colons_in_the_path() -> None:
    assert parse_git("git:origin/main:plans/a:b.yaml") == ("origin/main", "plans/a:b.yaml")
