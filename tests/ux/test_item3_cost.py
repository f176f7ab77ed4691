"""#19 item 3: `provision cost PLAN` shows the monthly estimate per function, the total and the budget."""

from __future__ import annotations

import json

import pytest

EXPECTED_TEXT = """\
Monthly AWS cost estimate of brightdesk-prod/prod (price table aws-prices.v1; list prices and usage assumptions, vendor fees not included):
  web        hosting               $6.44
  backups    backup                $1.71
  soc        security-monitoring  $22.16
  (budgets)  plan-wide             $0.00
Total: $30.30 a month; budget $2,500.00: within budget (1%)
"""


def test_item3_cost_per_function_total_and_budget(run, edited) -> None:
    result = run("cost", edited("saas-startup"))
    assert (result.exit_code, result.stdout) == (0, EXPECTED_TEXT)


def test_item3_the_total_is_the_one_diff_shows(run, edited) -> None:
    # `diff` against a missing base was the only way to see the estimate before: both must agree.
    plan = edited("saas-startup")
    review = run("diff", plan.parent / "missing.yaml", plan, "--allow-missing-base", "--format", "json")
    cost = json.loads(run("cost", plan, "--format", "json").stdout)
    assert json.loads(review.stdout)["cost"]["totalAfter"] == cost["totalUSD"] == 30.3


def test_item3_json_adds_up(run, edited) -> None:
    document = json.loads(run("cost", edited("eu-fintech"), "--format", "json").stdout)
    functions = document["functions"]
    assert [f["function"] for f in functions] == ["portal", "payments-net", "soc", "kyc-exchange", "ops", "backups"]
    for f in functions:
        assert f["monthlyUSD"] == pytest.approx(sum(f["items"].values()), abs=0.03)
    total = sum(f["monthlyUSD"] for f in functions) + sum(document["planWide"].values())
    assert document["totalUSD"] == pytest.approx(total, abs=0.01)


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        # Over budget: shown, not refused (validate is what fails on it), with a one-line note on stderr.
        (["{over}"], 0, "Total: $30.30 a month; budget $10.00: OVER BUDGET\n"),
        (["{over}", "--items"], 0, "    cloudfront transfer                          $4.25\n"),
        (["{invalid}"], 2, "is not a valid plan"),
    ],
)
def test_item3_cost_table(run, edited, args, code, needle) -> None:
    plans = {"over": edited("saas-startup", ("monthlyUSD: 2500", "monthlyUSD: 10"), name="over"),
             "invalid": edited("saas-startup", ("environment: prod", "environment: 42"), name="invalid")}
    result = run("cost", *[a.format(**plans) for a in args])
    assert result.exit_code == code
    assert needle in result.output
