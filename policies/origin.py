"""Where a plan lives, so policies can check the files it names (an exit plan).

A plan file's relative paths are relative to the root of the git repository
that holds it (the plan's own directory when it is in none), and must stay
inside that root. A plan read from `git:REV:path` names files as they are at
REV, checked with `git cat-file` without touching the working tree.
"""

from __future__ import annotations

import posixpath
import subprocess
from dataclasses import dataclass
from pathlib import Path


def repository_root(start: Path) -> Path | None:
    """The nearest directory from `start` upwards that holds `.git`; None outside any repository."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


def inside(relative: str) -> str | None:
    """`relative` normalised (POSIX), or None when it is absolute or climbs above its root."""
    if relative.startswith(("/", "\\")) or (len(relative) > 1 and relative[1] == ":"):
        return None
    normal = posixpath.normpath(relative.replace("\\", "/"))
    if normal == ".." or normal.startswith("../"):
        return None
    return normal


@dataclass(frozen=True)
class PlanOrigin:
    """The root a plan's relative paths start from, and how to tell whether one exists."""

    root: Path  # the repository root (or the plan's directory)
    revision: str | None = None  # set for a plan read from git:REV:path
    label: str = ""  # what messages call the root

    @classmethod
    def for_file(cls, plan_file: Path) -> PlanOrigin:
        directory = Path(plan_file).resolve().parent
        root = repository_root(directory)
        if root is None:
            return cls(directory, label="the plan's directory")
        return cls(root, label="the repository root")

    @classmethod
    def for_git(cls, revision: str, cwd: Path | None = None) -> PlanOrigin:
        root = repository_root(Path(cwd or Path.cwd())) or Path(cwd or Path.cwd()).resolve()
        return cls(root, revision, label=f"the repository at {revision}")

    def exists(self, relative: str) -> bool:
        """True when the normalised `relative` path names a file under the root (at the revision, if any)."""
        if self.revision is not None:
            result = subprocess.run(
                ["git", "cat-file", "-e", f"{self.revision}:{relative}"],
                cwd=self.root, capture_output=True, check=False, timeout=60,
            )
            return result.returncode == 0
        target = (self.root / relative).resolve()
        # A symlink inside the tree that points out of it is outside.
        return target.is_relative_to(self.root.resolve()) and target.is_file()
