"""End to end on a landing-zone account: every example applies, verifies, pages the SOC and
destroys, and what the landing zone ran before is exactly as it was.

A private sandbox started with `--preset landing-zone` (GuardDuty, Security
Hub with its default standards, Config recording and an organization trail
already on, in every region the examples use). The oracle for "left as it
was" is `presets.inventory`, read through the AWS APIs before and after.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from provision.cli.main import cli
from tests.examples import copy_example
from tests.sandboxes import IAM_PROPAGATION_SECONDS, sandbox_clients
from provision.stacks.engine.statedir import StateDir
from provision.stacks.sandbox import Sandbox
from provision.stacks.sandbox.presets import LANDING_ZONE, inventory

pytestmark = pytest.mark.e2e

VENDOR_IDS = {"NIGHTWATCH_EXTERNAL_ID": "lz-nightwatch", "VERIFYCO_EXTERNAL_ID": "lz-verifyco",
              "CLAIMSCO_EXTERNAL_ID": "lz-claimsco", "SENTRY_SOC_EXTERNAL_ID": "lz-sentry"}


@pytest.fixture(scope="module")
def landing_zone(engine, tmp_path_factory: pytest.TempPathFactory):
    state = StateDir(tmp_path_factory.mktemp("lz-state")).ensure()
    box = Sandbox(state.sandbox_dir)
    info, _ = box.start(preset=LANDING_ZONE, iam_propagation_seconds=IAM_PROPAGATION_SECONDS)
    try:
        yield state, sandbox_clients(info)
    finally:
        box.stop()


@pytest.mark.parametrize("example", ["saas-startup.yaml", "eu-fintech.yaml", "us-healthcare.yaml"])
def test_example_lives_beside_the_landing_zone(landing_zone, example: str, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    state, client = landing_zone
    for var, value in VENDOR_IDS.items():
        monkeypatch.setenv(var, value)
    plan_file = copy_example(example, tmp_path)
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(cli, [*args, "--state-dir", str(state.root)], catch_exceptions=False)

    # The ExternalIds kept in SSM or Secrets Manager (eu-fintech's), put there as the README says.
    seeded = run("sandbox", "seed", str(plan_file))
    assert seeded.exit_code == 0, seeded.output
    before = inventory(client)
    applied = run("apply", str(plan_file), "--yes")
    try:
        assert applied.exit_code == 0, applied.output
        verified = run("verify", str(plan_file), "--probe-alerts", "--probe-timeout", "30")
        assert verified.exit_code == 0, verified.output
        assert "alerts.securityhub-delivered" in verified.output
    finally:
        destroyed = run("destroy", str(plan_file), "--yes", "--force-delete-data")
    assert destroyed.exit_code == 0, destroyed.output
    assert inventory(client) == before
