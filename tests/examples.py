"""The example plans as tests use them: writable copies that keep what the examples need beside them."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = REPO_ROOT / "examples"
EXIT_PLANS = REPO_ROOT / "docs" / "exit"


def copy_exit_plans(directory: Path) -> None:
    """The examples' exit plans, at the path the examples name (PRV-VEN-005: outside a repository
    an exit plan is looked up in the plan's directory)."""
    shutil.copytree(EXIT_PLANS, directory / "docs" / "exit", dirs_exist_ok=True)


def copy_example(name: str, directory: Path) -> Path:
    """examples/`name` copied into `directory`, with its exit plans; returns the copy's path."""
    copy_exit_plans(directory)
    return Path(shutil.copy(EXAMPLES / name, directory / name))


def write_exit_plan(directory: Path, vendor: str) -> Path:
    """A placeholder exit plan for `vendor` at docs/exit/<vendor>.md under `directory` (PRV-VEN-005)."""
    path = directory / "docs" / "exit" / f"{vendor}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# Exit plan: {vendor}\n", encoding="utf-8")
    return path
