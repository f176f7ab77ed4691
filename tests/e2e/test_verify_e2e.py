"""End to end: `provision verify` against the real sandbox before anything is applied.

Verify on applied examples runs in each example's run, on the stack it applied
(tests/generated/example_checks.py): saas-startup passes every check, then a
resource weakened behind the engine's back fails, named by ARN; eu-fintech
checks all six function types.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from provision.cli.main import cli
from tests.examples import copy_example

pytestmark = pytest.mark.e2e


@pytest.fixture
def run(sandbox, sandbox_state, monkeypatch: pytest.MonkeyPatch):
    """`run(*args)`: the CLI against the session sandbox; returns the click Result."""
    monkeypatch.setenv("NIGHTWATCH_EXTERNAL_ID", "e2e-nightwatch-id")  # saas-startup's vendor
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, [*args, "--state-dir", str(sandbox_state.root)], catch_exceptions=False)

    return invoke


def test_verify_before_any_apply_says_nothing_is_deployed(run, tmp_path: Path) -> None:
    plan_file = copy_example("saas-startup.yaml", tmp_path)
    never_applied = run("verify", str(plan_file))
    assert never_applied.exit_code == 1
    assert "nothing deployed for stack brightdesk-prod/prod on target sandbox; run `provision apply" in never_applied.stderr
