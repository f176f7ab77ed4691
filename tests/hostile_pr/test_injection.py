"""#14 hole 3: plan values cannot inject into CI logs or pull-request comments.

A pull request's plan carries values with line breaks followed by GitHub
workflow commands, @mentions, bare URLs and a right-to-left override. Through
the CLI, as CI runs it, no output may start a line with `::` (the runner would
execute it) or carry a bidi control; markdown may not mention anyone or
autolink a URL. The oracle is the output text itself, read line by line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from provision.cli.main import cli

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "saas-startup.yaml"
PAYLOAD = r"\n::add-mask::hunter2\n::stop-commands::tok\r\n::error file=x::pwned\u2028@octocat https://evil.example www.evil.example \u202eexe.pdf"
TODAY = "2026-12-01"
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# GitHub mentions @name and autolinks scheme:// and www. in comment text.
MENTION = re.compile(r"@[A-Za-z0-9]")
AUTOLINK = re.compile(r"(?i)(https?|ftp|file)://|www\.")


@pytest.fixture
def injection_plans(tmp_path: Path) -> dict[str, Path]:
    """base: the example; head: the payload in an exit plan and a waiver reason; invalid: in a bad value.

    The exit plan is an https URL: a path would have to exist in the repository (PRV-VEN-005).
    """
    text = EXAMPLE.read_text(encoding="utf-8")
    head = text.replace("exitPlan: docs/exit/nightwatch.md", f'exitPlan: "https://wiki.brightdesk.example/exit/nightwatch{PAYLOAD}"')
    head = head.replace("copyToRegion: eu-central-1", "copyToRegion: us-east-1") + (
        "  waivers:\n"
        "    - policy: PRV-RES-001\n"
        "      function: backups\n"
        f'      reason: "US copy{PAYLOAD}"\n'
        "      expires: 2026-12-20\n"
        "      approvedBy: ciso@brightdesk.example\n"
    )
    invalid = text.replace("environment: prod", f'environment: "prod{PAYLOAD}"')
    paths = {"base": EXAMPLE, "head": tmp_path / "head.yaml", "invalid": tmp_path / "invalid.yaml"}
    paths["head"].write_text(head, encoding="utf-8")
    paths["invalid"].write_text(invalid, encoding="utf-8")
    return paths


def run(*args) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.output  # stdout and stderr, as a CI log shows them


def assert_no_command_or_bidi(output: str, plan: Path | None = None) -> None:
    """No line starts a workflow command, except (with `plan`) the github format's own
    annotations of that plan file; no bidi control anywhere."""
    assert "hunter2" in output or "pwned" in output, "the payload must reach the output for the test to mean anything"
    lines = re.split("\r\n|\r|\n|\u2028|\u2029|\x85", output)
    own = tuple(f"::{level} file={plan}," for level in ("error", "warning", "notice")) if plan else ()
    assert [line for line in lines if line.lstrip().startswith("::") and not line.startswith(own)] == []
    assert BIDI.findall(output) == []


@pytest.mark.parametrize("format_name", ["text", "junit", "github", "sarif", "markdown"])
@pytest.mark.parametrize("plan", ["head", "invalid"])
def test_validate_output_escapes_plan_values(injection_plans, format_name, plan) -> None:
    code, output = run("validate", injection_plans[plan], "--format", format_name, "--today", TODAY)
    assert code == (0 if plan == "head" else 2)
    assert_no_command_or_bidi(output, injection_plans[plan] if format_name == "github" else None)


@pytest.mark.parametrize("format_name", ["text", "markdown"])
def test_diff_output_escapes_plan_values(injection_plans, format_name) -> None:
    code, output = run("diff", injection_plans["base"], injection_plans["head"], "--format", format_name,
                       "--today", TODAY)
    assert code == 0
    assert_no_command_or_bidi(output)


def test_diff_error_output_escapes_plan_values(injection_plans) -> None:
    code, output = run("diff", injection_plans["base"], injection_plans["invalid"], "--today", TODAY)
    assert code == 2 and "is not a valid plan" in output
    assert_no_command_or_bidi(output)


@pytest.mark.parametrize("command", [["validate", "{head}", "-f", "markdown"], ["diff", "{base}", "{head}", "-f", "markdown"]])
def test_markdown_neither_mentions_nor_autolinks_plan_text(injection_plans, command) -> None:
    args = [a.format(**injection_plans) for a in command]
    code, output = run(*args, "--today", TODAY)
    assert code == 0
    plan_text = [line for line in output.splitlines() if "hunter2" in line or "pwned" in line]
    assert plan_text, "the payload must reach the comment"
    for line in plan_text:
        line = re.sub(r"\]\(<https://[^>]*>\)", "]", line)  # the rule's own documentation link
        assert MENTION.findall(line) == [], line
        assert AUTOLINK.findall(line) == [], line
