"""Where BASE and HEAD come from: a file, or `git:REV:path` read with `git show`.

A git source is read without touching the working tree, so CI can diff a
branch against its target with nothing but the clone.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from provision.validation.errors import InputError

GIT_PREFIX = "git:"


class SourceError(InputError):
    """The source cannot be read: malformed, not a file, or git failed."""


class SourceMissing(SourceError):
    """The source names a file or git object that does not exist."""


@dataclass(frozen=True)
class Source:
    spec: str  # as given, for display and in findings
    text: bytes


def parse_git(spec: str) -> tuple[str, str]:
    """(rev, path) of a `git:REV:path` spec; SourceError when malformed."""
    rev, sep, path = spec[len(GIT_PREFIX):].partition(":")
    if not sep or not rev or not path:
        raise SourceError(f"{spec}: expected git:REV:path, e.g. git:origin/main:plans/prod.yaml")
    if rev.startswith("-"):
        raise SourceError(f"{spec}: a git revision cannot start with '-'")
    return rev, path


def read_source(spec: str, *, cwd: Path | None = None) -> Source:
    """The bytes of `spec`; SourceMissing when it does not exist, SourceError on other failures."""
    if spec.startswith(GIT_PREFIX):
        return _read_git(spec, cwd)
    path = Path(cwd or ".") / spec
    if not path.exists():
        raise SourceMissing(f"{spec}: no such file")
    if not path.is_file():
        raise SourceError(f"{spec}: not a file")
    try:
        return Source(spec, path.read_bytes())
    except OSError as error:
        raise SourceError(f"{spec}: cannot read: {error.strerror}") from None


def _read_git(spec: str, cwd: Path | None) -> Source:
    rev, path = parse_git(spec)
    try:
        result = subprocess.run(
            ["git", "show", f"{rev}:{path}"], cwd=cwd, capture_output=True, check=False, timeout=60
        )
    except FileNotFoundError:
        raise SourceError(f"{spec}: git is not installed") from None
    except subprocess.TimeoutExpired:
        raise SourceError(f"{spec}: git show timed out") from None
    if result.returncode != 0:
        reason = result.stderr.decode("utf-8", "replace").strip().splitlines()
        message = f"{spec}: git show failed: {reason[0] if reason else f'exit {result.returncode}'}"
        # git says "does not exist" / "exists on disk, but not in" for a path missing at REV.
        if any(("does not exist" in line or "but not in" in line) for line in reason):
            raise SourceMissing(message)
        raise SourceError(message)
    return Source(spec, result.stdout)
