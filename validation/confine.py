"""Keep validate and diff inside the working tree.

Plan files come from pull requests: a plan or policy config that is a symlink
to /proc/self/environ or ~/.aws/credentials must not be read and echoed into a
CI log. A file's working tree is the git work tree its path names (found by
walking up the path as written, without following links), or its directory
outside git; a file that really resolves outside that tree, through a symlink
of its own or of a directory on the way, is refused unless the user allows it
(--allow-outside-tree).
"""

from __future__ import annotations

import os
from pathlib import Path

ALLOW_FLAG = "--allow-outside-tree"


def working_tree(path: Path) -> Path:
    """The git work tree `path` names as written (no links followed), else its directory; resolved."""
    lexical = Path(os.path.abspath(path))
    for directory in lexical.parents:
        if os.path.lexists(directory / ".git"):
            return directory.resolve()
    return lexical.parent.resolve()


def escapes(path: Path, tree: Path | None = None) -> Path | None:
    """Where `path` really leads when that is outside its working tree (or `tree`); None when inside."""
    target = Path(path).resolve()
    root = tree or working_tree(path)
    return None if target.is_relative_to(root) else target


def refusal(shown: str, target: Path, what: str = "plan file") -> str:
    """The sentence every refusal uses."""
    return (f"{shown}: this {what} resolves outside its working tree (to {target}); provision does not "
            f"read files there, so a change cannot make it read secrets (pass {ALLOW_FLAG} if intended)")
