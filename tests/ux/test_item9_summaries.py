"""#19 item 9: status, drift and verify print one line about the plan's findings, not all of them."""

from __future__ import annotations

import pytest

US_COPY = ("copyToRegion: eu-central-1", "copyToRegion: us-east-1")


@pytest.mark.parametrize(
    ("command", "code", "last_line"),
    [
        ("status", 0, "The sandbox is not running: nothing of brightdesk-prod/prod is deployed on it."),
        ("drift", 1, "Error: Nothing of brightdesk-prod/prod is deployed: the sandbox is not running. "
                     "Run `provision apply {plan}` first."),
        ("verify", 1, "Error: Nothing of brightdesk-prod/prod is deployed: the sandbox is not running. "
                      "Run `provision apply {plan}` first."),
    ],
)
def test_item9_one_line_about_the_plans_findings(run, edited, tmp_path, command, code, last_line) -> None:
    plan = edited("saas-startup", US_COPY)
    result = run(command, plan, "--state-dir", tmp_path / "state")
    assert result.exit_code == code
    assert result.output.splitlines() == [
        f"{plan} has policy findings (1 mandatory, 0 advisory, 0 waived): `provision validate {plan}` lists them.",
        last_line.format(plan=plan),
    ]


def test_item9_an_invalid_plan_still_gets_every_finding(run, edited, tmp_path) -> None:
    plan = edited("saas-startup", ("environment: prod", "environment: 42"))
    result = run("status", plan, "--state-dir", tmp_path / "state")
    assert result.exit_code == 2
    assert f"{plan}:13:16: ERROR SCHEMA `spec.environment` is `42`" in result.output
