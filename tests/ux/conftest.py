"""Helpers of the user-experience tests: example plans edited by literal replacements, run through the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner, Result

from provision.cli.main import cli
from tests.examples import copy_exit_plans

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TODAY = ["--today", "2026-12-01"]


@pytest.fixture
def edited(tmp_path: Path) -> Callable[..., Path]:
    """edited("saas-startup", (old, new), ...): the example with each `old` replaced once by `new`."""

    def make(example: str, *replacements: tuple[str, str], name: str = "plan") -> Path:
        text = (EXAMPLES / f"{example}.yaml").read_text(encoding="utf-8")
        for old, new in replacements:
            assert old in text, f"{old!r} is not in {example}.yaml"
            text = text.replace(old, new, 1)
        path = tmp_path / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        # Outside a git repository exit plans are looked up next to the plan (PRV-VEN-005).
        copy_exit_plans(tmp_path)
        return path

    return make


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """run(*args): the CLI in process, stdout and stderr apart."""
    monkeypatch.delenv("PROVISION_DOCS_URL", raising=False)

    def invoke(*args: str, input: str | None = None, catch: bool = True) -> Result:
        return CliRunner().invoke(cli, [str(a) for a in args], input=input, catch_exceptions=catch)

    return invoke
