"""#19 item 2: missing ExternalIds are reported all at once, with where they were looked for and
the command that creates each; `provision sandbox seed` and `make demo` put placeholders in the sandbox.
"""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fintech(edited) -> tuple[Path, str]:
    """eu-fintech with references of its own (the session sandbox is shared), and its prefix."""
    prefix = f"ux-{uuid.uuid4().hex[:8]}"
    plan = edited("eu-fintech",
                  ("ssm:/provision/vendors/wachturm/external-id", f"ssm:/provision/{prefix}/wachturm"),
                  ("ssm:/provision/vendors/netzwerk/external-id", f"ssm:/provision/{prefix}/netzwerk"),
                  ("secretsmanager:provision/vendors/opsbridge/external-id", f"secretsmanager:provision/{prefix}/opsbridge"))
    return plan, prefix


@pytest.fixture
def no_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args, **_kwargs):
        raise AssertionError("missing ExternalIds must be reported before the engine is obtained")

    monkeypatch.setattr("provision.stacks.engine.install.ensure_engine", refuse)
    monkeypatch.delenv("VERIFYCO_EXTERNAL_ID", raising=False)


@pytest.mark.e2e  # the sandbox
def test_item2_every_missing_external_id_in_one_run(run, fintech, sandbox, sandbox_state, no_engine) -> None:
    plan, prefix = fintech
    result = run("plan", plan, "--state-dir", sandbox_state.root)
    assert result.exit_code == 1
    seed = f"create a placeholder: provision sandbox seed {plan}"
    assert result.stderr.splitlines()[-9:] == [
        "Error: Cannot read the ExternalId of 4 provider(s) in account 123456789012, region eu-central-1 (target sandbox):",
        f"  - provider 'wachturm': externalIdRef ssm:/provision/{prefix}/wachturm: could not be read: ParameterNotFound",
        f"    {seed}",
        f"  - provider 'netzwerk': externalIdRef ssm:/provision/{prefix}/netzwerk: could not be read: ParameterNotFound",
        f"    {seed}",
        f"  - provider 'opsbridge': externalIdRef secretsmanager:provision/{prefix}/opsbridge: could not be read: "
        "ResourceNotFoundException",
        f"    {seed}",
        "  - provider 'verifyco': externalIdRef env:VERIFYCO_EXTERNAL_ID: environment variable VERIFYCO_EXTERNAL_ID "
        "is not set (export it before apply)",
        "    set it: export VERIFYCO_EXTERNAL_ID='<the ExternalId agreed with verifyco>'",
    ]


@pytest.mark.e2e  # the sandbox
def test_item2_seed_puts_placeholders_that_plan_then_reads(run, fintech, sandbox, sandbox_state, sandbox_client,
                                                          no_engine, monkeypatch) -> None:
    plan, prefix = fintech
    seeded = run("sandbox", "seed", plan, "--state-dir", sandbox_state.root)
    assert (seeded.exit_code, seeded.stdout.splitlines()) == (0, [
        "ExternalIds of ledgerly-prod in the sandbox (account 123456789012, region eu-central-1):",
        f"  ssm:/provision/{prefix}/wachturm (wachturm): created a placeholder",
        f"  ssm:/provision/{prefix}/netzwerk (netzwerk): created a placeholder",
        f"  secretsmanager:provision/{prefix}/opsbridge (opsbridge): created a placeholder",
        "  env:VERIFYCO_EXTERNAL_ID (verifyco): read from the environment at apply: export it",
    ])
    ssm, secrets = sandbox_client("ssm", "eu-central-1"), sandbox_client("secretsmanager", "eu-central-1")
    values = [ssm.get_parameter(Name=f"/provision/{prefix}/{v}", WithDecryption=True)["Parameter"]["Value"]
              for v in ("wachturm", "netzwerk")]
    values.append(secrets.get_secret_value(SecretId=f"provision/{prefix}/opsbridge")["SecretString"])
    assert all(v.startswith("sandbox-") for v in values) and len(set(values)) == 3
    assert not any(v in seeded.output for v in values)

    again = run("sandbox", "seed", plan, "--state-dir", sandbox_state.root)
    assert again.stdout.count("already there, kept") == 3

    # With the env: one exported too, every ExternalId reads: the next step is the engine.
    monkeypatch.setenv("VERIFYCO_EXTERNAL_ID", "from-the-environment")
    with pytest.raises(AssertionError, match="before the engine is obtained"):
        run("plan", plan, "--state-dir", sandbox_state.root, catch=False)


def test_item2_seed_needs_a_running_sandbox(run, edited, tmp_path) -> None:
    result = run("sandbox", "seed", edited("eu-fintech"), "--state-dir", tmp_path / "state")
    assert (result.exit_code, result.stderr) == (1, "Error: The sandbox is not running. Start it with `provision sandbox start`.\n")


def test_item2_make_demo_seeds_the_plans_references() -> None:
    commands = subprocess.run(["make", "-n", "demo", "PLAN=examples/eu-fintech.yaml"], cwd=ROOT, text=True,
                              capture_output=True, check=True).stdout
    assert "provision sandbox seed examples/eu-fintech.yaml" in commands
    assert "VERIFYCO_EXTERNAL_ID=${VERIFYCO_EXTERNAL_ID:-sandbox-demo-id}" in commands
    assert "NIGHTWATCH_EXTERNAL_ID" not in commands  # read from the plan, not a fixed list
