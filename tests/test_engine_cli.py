"""The plan, apply, destroy, status and engine commands: exit codes and messages.

Runs the real CLI in process. Cases that reach the engine use the session
sandbox and a plan named `cli-check` so they never meet other tests' stacks.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from provision.cli.main import cli

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "saas-startup.yaml"
NAME = "cli-check"


def write_plan(directory: Path, *, region: str = "eu-west-1", functions: str = "all", file: str = NAME) -> Path:
    """The README example renamed to `cli-check`; `functions="web"` keeps only the hosting function."""
    text = EXAMPLE.read_text().replace("name: brightdesk-prod", f"name: {NAME}")
    text = text.replace("region: eu-west-1", f"region: {region}")
    if functions == "web":
        start, end = text.index("    backups:\n"), text.index("  budget:\n")
        text = text[:start] + text[end:]
        text = text.replace("tier: critical\n      data: pii", "tier: standard\n      data: internal", 1)
        text = text.replace("compliance: [gdpr]", "compliance: []")
    path = directory / f"{file}.yaml"
    path.write_text(text)
    exit_plan = directory / "docs" / "exit" / "nightwatch.md"  # the example's exit plan must exist beside it
    exit_plan.parent.mkdir(parents=True, exist_ok=True)
    exit_plan.write_text("# Exit plan: Nightwatch\n")
    return path


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("NIGHTWATCH_EXTERNAL_ID", "cli-test-external-id")
    return CliRunner()


@pytest.fixture(autouse=True)
def no_stray_sandbox(tmp_path: Path):
    """Refusals must not leave a sandbox running; stop any that a failing case started."""
    from provision.stacks.sandbox import Sandbox

    yield
    for root in (tmp_path / "state" / "sandbox", tmp_path / "sandbox"):
        assert Sandbox(root).stop() is None, f"a sandbox was left running in {root}"


def forbid_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args, **_kwargs):
        raise AssertionError("the engine must not be touched")

    monkeypatch.setattr("provision.stacks.engine.install.ensure_engine", refuse)


@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        (["plan", "{invalid}"], 2, "{invalid} is not a valid plan; nothing was provisioned."),
        (["plan", "{invalid}", "--detailed-exitcode"], 1, "{invalid} is not a valid plan; nothing was provisioned."),
        (["apply", "{invalid}", "--yes"], 2, "{invalid} is not a valid plan; nothing was provisioned."),
        (["status", "{invalid}"], 2, "{invalid} is not a valid plan; nothing was provisioned."),
        (
            ["apply", "{violating}", "--yes"],
            1,
            "{violating} violates mandatory policies; fix them or add approved waivers, then try again.",
        ),
        (
            ["plan", "{valid}", "--target", "aws"],
            1,
            "--target aws needs AWS credentials and none were found. Configure them the usual way "
            "(`aws configure`, `aws sso login` with AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY), or use the local sandbox with --target sandbox.",
        ),
        (["status", "{valid}"], 0, "The sandbox is not running: nothing of cli-check/prod is deployed on it."),
    ],
)
def test_refusals_before_the_engine(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_aws_env: None, args, code, expected
) -> None:
    forbid_engine(monkeypatch)
    invalid = tmp_path / "invalid.yaml"
    invalid.write_text("apiVersion: provision/v1\nkind: OutsourcingPlan\nmetadata: {name: x}\n")
    files = {
        "{invalid}": str(invalid),
        "{violating}": str(write_plan(tmp_path, region="us-east-1", file="violating")),  # EU data outside the EU
        "{valid}": str(write_plan(tmp_path)),
    }
    argv = [files.get(a, a) for a in args] + ["--state-dir", str(tmp_path / "state")]
    result = runner.invoke(cli, argv)
    message = expected
    for key, value in files.items():
        message = message.replace(key, value)
    assert result.exit_code == code, result.output
    last = result.output.strip().splitlines()[-1]
    assert last in (message, f"Error: {message}")


def test_status_json_when_the_sandbox_is_down(runner: CliRunner, tmp_path: Path, monkeypatch) -> None:
    forbid_engine(monkeypatch)
    result = runner.invoke(cli, ["status", str(write_plan(tmp_path)), "--format", "json", "--state-dir", str(tmp_path)])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "apiVersion": "provision/v1",
        "kind": "Status",
        "plan": NAME,
        "environment": "prod",
        "target": "sandbox",
        "deployed": False,
        "resources": [],
        "outputs": {},
        "lastUpdate": None,
    }


@pytest.mark.e2e
def test_plan_json_apply_declined_and_nothing_to_destroy(runner: CliRunner, tmp_path: Path, sandbox, sandbox_state) -> None:
    plan = str(write_plan(tmp_path, functions="web"))
    state = ["--state-dir", str(sandbox_state.root)]

    preview = runner.invoke(cli, ["plan", plan, "--format", "json", "--detailed-exitcode", *state])
    assert preview.exit_code == 2, preview.output
    document = json.loads(preview.stdout)
    assert {k: document[k] for k in ("apiVersion", "kind", "plan", "environment", "target", "hasChanges")} == {
        "apiVersion": "provision/v1",
        "kind": "Preview",
        "plan": NAME,
        "environment": "prod",
        "target": "sandbox",
        "hasChanges": True,
    }
    assert {r["op"] for r in document["resources"]} == {"create"}
    assert {r["function"] for r in document["resources"]} == {"web", None}
    assert document["summary"] == {"create": len(document["resources"]), "update": 0, "replace": 0, "delete": 0, "same": 0}
    assert list(document["resources"][0]) == ["function", "resource", "kind", "type", "op", "replaceKeys", "changedKeys", "urn"]

    declined = runner.invoke(cli, ["apply", plan, *state], input="n\n")
    assert declined.exit_code == 1
    assert "web (hosting)\n" in declined.stdout and "Apply these changes to cli-check/prod on target sandbox?" in declined.output
    assert declined.output.endswith("Error: Nothing was applied.\n")

    nothing = runner.invoke(cli, ["destroy", plan, "--yes", *state])
    assert (nothing.exit_code, nothing.stdout) == (0, "Nothing to destroy: cli-check/prod on target sandbox has no resources.\n")
    status = runner.invoke(cli, ["status", plan, *state])
    assert status.stdout.endswith("on target sandbox (sandbox instance " + sandbox.instance_id + f" at {sandbox.url}): not deployed.\n")


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["plan", "--help"], ["--detailed-exitcode", "Exit codes:", "provision plan examples/saas-startup.yaml"]),
        (["apply", "--help"], ["--yes", "Exit codes:", "--target [sandbox|aws]", "--state-dir", "--backend URL"]),
        (["destroy", "--help"], ["--yes", "Exit codes:"]),
        (["status", "--help"], ["--format [text|json]", "Exit codes:"]),
        (["sandbox", "--help"], ["start", "status", "stop", "reset", "Examples:"]),
        (["engine", "--help"], ["install", "info"]),
    ],
)
def test_help_teaches(args: list[str], needles: list[str]) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0
    for needle in needles:
        assert needle in result.output


@pytest.mark.e2e
def test_engine_info_and_install(engine) -> None:
    info = CliRunner().invoke(cli, ["engine", "info"])
    assert info.exit_code == 0
    assert info.output.splitlines()[:3] == [f"path:    {engine.binary}", f"version: {engine.version}", f"source:  {engine.source}"]
    installed = CliRunner().invoke(cli, ["engine", "install"])
    assert installed.exit_code == 0
    assert installed.stdout.startswith(f"Pulumi engine v{engine.version} ready ({engine.source}): {engine.binary} [")
