"""`provision diff` from the command line: exit codes, quiet mode, bad input, help."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from provision.cli.main import cli

CASES = Path(__file__).parent / "cases"
TODAY = ["--today", "2026-03-02"]


def case(name: str, side: str) -> str:
    return str(CASES / name / f"{side}.yaml")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["diff", *args, *TODAY])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("args, code, first_line", [
    ((case("provider-swap", "base"), case("provider-swap", "head")), 0, "provision diff: brightdesk-prod"),
    # backups (pii) moves from aws to nightwatch, which gains StartBackupJob/StartRestoreJob on it: a weakening.
    ((case("provider-swap", "base"), case("provider-swap", "head"), "--fail-on-weakening"), 1,
     "provision diff: brightdesk-prod"),
    ((case("sla-weakened", "base"), case("sla-weakened", "head"), "--fail-on-weakening"), 1,
     "provision diff: brightdesk-prod"),
    ((case("residency-break", "base"), case("residency-break", "head"), "--fail-on-weakening"), 1,
     "provision diff: brightdesk-prod"),
    ((case("sla-weakened", "base"), case("sla-weakened", "head")), 0, "provision diff: brightdesk-prod"),
    ((case("provider-swap", "base"), case("provider-swap", "base"), "--quiet-if-no-changes"), 0, ""),
    ((case("provider-swap", "base"), case("provider-swap", "base"), "-f", "markdown", "--quiet-if-no-changes"), 0, ""),
    ((case("provider-swap", "base"), case("provider-swap", "base"), "-f", "json", "--quiet-if-no-changes"), 0, ""),
    ((case("provider-swap", "base"), case("provider-swap", "base"), "-f", "markdown"), 0,
     "<!-- provision:diff-comment:brightdesk-prod -->"),
    (("missing.yaml", case("provider-swap", "head"), "--allow-missing-base"), 0, "provision diff: brightdesk-prod"),
], ids=["provider swap", "swap gives a vendor write on pii", "weakened fails", "residency break fails", "weakened reported",
        "quiet text", "quiet markdown", "quiet json", "unchanged comment", "new plan"])
def test_exit_codes_and_output(args, code, first_line) -> None:
    exit_code, stdout, _ = run(*args)
    assert exit_code == code
    assert stdout.split("\n", 1)[0] == first_line


def test_unchanged_says_so() -> None:
    _, stdout, _ = run(case("provider-swap", "base"), case("provider-swap", "base"))
    assert stdout.splitlines()[2:5] == ["Policy config: defaults", "", "NO CHANGES"]


def test_a_new_plan_lists_its_functions() -> None:
    _, stdout, _ = run("missing.yaml", case("provider-swap", "head"), "--allow-missing-base")
    assert "Outsourcing (new plan)\n  web: hosting on aws, critical, pii data, 99.9% availability\n" in stdout


@pytest.mark.parametrize("args, message", [
    (("missing.yaml", case("provider-swap", "head")), "Error: missing.yaml: no such file"),
    ((case("provider-swap", "base"), "missing.yaml", "--allow-missing-base"), "Error: missing.yaml: no such file"),
    (("git:HEAD", case("provider-swap", "head")), "Error: git:HEAD: expected git:REV:path"),
], ids=["missing base", "missing head is never allowed", "malformed git source"])
def test_bad_input_exits_2(args, message) -> None:
    exit_code, stdout, stderr = run(*args)
    assert (exit_code, stdout) == (2, "")
    assert message in stderr


def test_an_invalid_plan_exits_2_with_its_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("apiVersion: provision/v1\nkind: OutsourcingPlan\nmetadata: [1, 2\n")
    exit_code, stdout, stderr = run(case("provider-swap", "base"), str(broken))
    assert (exit_code, stdout) == (2, "")
    assert f"Error: {broken} is not a valid plan:\n  4:1: LOAD-SYNTAX YAML syntax error: " in stderr


def test_help_teaches_exit_codes_and_examples() -> None:
    result = CliRunner().invoke(cli, ["diff", "--help"])
    assert result.exit_code == 0
    assert "1  --fail-on-weakening and HEAD weakens something or breaks residency" in result.output
    assert "provision diff git:origin/main:plans/prod.yaml plans/prod.yaml" in result.output


def test_listed_in_the_command_group() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert "diff      Review a plan change" in result.output or "  diff " in result.output
