"""The validate pipeline: steps in order, findings located and sorted, paths expanded, no crashes."""

from __future__ import annotations

import datetime as dt
import pathlib
import re
import subprocess
import sys

import click
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provision.cli.usage_errors import usage_errors
from provision.schemas.findings import Level
from provision.validation import pipeline
from provision.validation.errors import InputError, PolicyConfigRejected
from provision.validation.pipeline import (
    FileReport, expand_paths, load_plan, load_policy_config, validate_file, validate_paths, validate_source,
)

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "saas-startup.yaml"
TODAY = dt.date(2026, 12, 1)

PLAN = """\
apiVersion: provision/v1
kind: OutsourcingPlan
metadata:
  name: pipeline-test
  owner: platform@example.com
spec:
  environment: dev
  region: us-east-1
  dataResidency: eu
  providers:
    aws: {type: cloud}
  functions:
    site: {type: hosting, provider: aws, hosting: {kind: static-site}}
  budget: {monthlyUSD: 100}
"""


def run(text: str, **kwargs) -> FileReport:
    return validate_source(text, filename="plan.yaml", today=TODAY, **kwargs)


def test_a_clean_plan_gives_its_typed_plan_and_positions() -> None:
    report = validate_file(EXAMPLE, today=TODAY)
    assert (report.file, report.findings) == (str(EXAMPLE), [])
    assert report.plan.name == "brightdesk-prod"
    assert report.positions.locate(("spec", "region")) == (14, 11)


def test_policy_results_become_located_findings() -> None:
    report = run(PLAN)
    first = report.findings[0]
    assert (first.file, first.line, first.column, first.rule, first.level) == (
        "plan.yaml", 8, 11, "PRV-RES-001", Level.MANDATORY)
    assert first.message.startswith("home region us-east-1 is outside data residency 'eu'")
    from provision.policies.registry import get

    policy = get("PRV-RES-001")
    assert (first.fix, first.title, first.docs_url, first.path) == (
        policy.remediation, policy.title, policy.docs_url, ("spec", "region"))
    assert report.plan is not None  # mandatory findings still leave a usable plan


def test_findings_are_sorted_by_line_column_and_rule() -> None:
    text = PLAN.replace("  environment: dev", "  environment: prod").replace("  budget: {monthlyUSD: 100}\n", "")
    report = run(text)
    keys = [(f.line, f.column, f.rule) for f in report.findings]
    assert keys == sorted(keys) and len(keys) >= 2


def test_a_waiver_turns_a_violation_into_a_waived_finding() -> None:
    text = PLAN + ("  waivers:\n    - {policy: PRV-RES-001, reason: Migration to eu-west-1 in Q1., "
                   "expires: 2027-01-31, approvedBy: cto@example.com}\n")
    [finding] = [f for f in run(text).findings if f.rule == "PRV-RES-001"]
    assert finding.level is Level.WAIVED


@pytest.mark.parametrize(("text", "rule", "has_positions"), [
    ("a: [\n", "LOAD-SYNTAX", False),
    (PLAN.replace("tier", "x").replace("environment: dev", "environment: qa"), "SCHEMA", True),
    (PLAN.replace("provider: aws", "provider: awz"), "XREF-PROVIDER", True),
])
def test_each_step_stops_the_next_and_leaves_no_plan(text: str, rule: str, has_positions: bool) -> None:
    report = run(text)
    assert {f.rule for f in report.findings} == {rule}  # policies did not run
    assert report.plan is None
    assert (report.positions is not None) == has_positions


def test_load_plan_returns_the_plan_unless_there_are_errors(tmp_path: pathlib.Path) -> None:
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(PLAN)
    plan, report = load_plan(plan_file, today=TODAY)
    assert plan is report.plan and plan.name == "pipeline-test"
    assert Level.MANDATORY in {f.level for f in report.findings}
    plan_file.write_text(PLAN.replace("provider: aws", "provider: awz"))
    plan, report = load_plan(plan_file, today=TODAY)
    assert plan is None and report.findings[0].rule == "XREF-PROVIDER"


def test_a_crash_in_a_step_becomes_an_internal_error_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("provision.policies.engine.evaluate", explode)
    report = run(PLAN)
    assert [(f.rule, f.level, f.message) for f in report.findings] == [
        ("INTERNAL-ERROR", Level.ERROR, "provision could not check this file: RuntimeError: boom")]
    assert report.plan is None


# ---- policy configuration -------------------------------------------------------------------

DISABLE_RESIDENCY = "policies:\n  PRV-RES-001:\n    enforcement: disabled\n"


def test_the_nearest_policy_config_applies(tmp_path: pathlib.Path) -> None:
    (tmp_path / "provision-policies.yaml").write_text(DISABLE_RESIDENCY)
    (tmp_path / "plans").mkdir()
    plan_file = tmp_path / "plans" / "dev.yaml"
    plan_file.write_text(PLAN)
    assert "PRV-RES-001" not in {f.rule for f in validate_file(plan_file, today=TODAY).findings}
    assert "PRV-RES-001" in {f.rule for f in run(PLAN).findings}  # no config: defaults


def test_an_explicit_policy_config_applies_to_every_path(tmp_path: pathlib.Path) -> None:
    config = tmp_path / "org-policies.yaml"
    config.write_text(DISABLE_RESIDENCY)
    plan_file = tmp_path / "dev.yaml"
    plan_file.write_text(PLAN)
    [report] = validate_paths([str(plan_file)], policy_config_path=str(config), today=TODAY)
    assert "PRV-RES-001" not in {f.rule for f in report.findings}


def test_an_invalid_nearby_config_is_a_located_finding(tmp_path: pathlib.Path) -> None:
    (tmp_path / "provision-policies.yaml").write_text("policies:\n  PRV-NOPE-001: {enforcement: disabled}\n")
    plan_file = tmp_path / "dev.yaml"
    plan_file.write_text(PLAN)
    report = validate_file(plan_file, today=TODAY)
    [finding] = report.findings
    assert (finding.file, finding.line, finding.column, finding.rule, finding.level) == (
        str(tmp_path / "provision-policies.yaml"), 2, 3, "POLICY-CONFIG", Level.ERROR)
    assert finding.message.startswith("The policy config is invalid: unknown policy id 'PRV-NOPE-001'")
    assert report.plan is None


def test_an_invalid_explicit_config_is_a_usage_error(tmp_path: pathlib.Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("policies: [1]\n")
    with pytest.raises(PolicyConfigRejected, match="policies must be a mapping"):
        load_policy_config(config)
    with pytest.raises(click.BadParameter) as caught, usage_errors():  # as the commands report it
        load_policy_config(config)
    assert caught.value.exit_code == 2 and "policies must be a mapping" in caught.value.message


# ---- expanding paths ------------------------------------------------------------------------

@pytest.fixture()
def tree(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    monkeypatch.chdir(tmp_path)
    files = {
        "plans/prod.yaml": PLAN,
        "plans/eu/dev.yml": PLAN,
        "plans/eu/typo.yaml": PLAN.replace("kind: OutsourcingPlan", "kind: OutsorcingPlan"),
        "plans/provision-policies.yaml": DISABLE_RESIDENCY,
        "plans/ci.yaml": "on: push\njobs: {}\n",
        "plans/notes.txt": PLAN,
        "plans/.hidden/secret.yaml": PLAN,
        "empty/readme.md": "nothing here\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


@pytest.mark.parametrize(("args", "expected"), [
    (["plans"], ["plans/eu/dev.yml", "plans/eu/typo.yaml", "plans/prod.yaml"]),
    (["plans/*.yaml"], ["plans/prod.yaml"]),
    (["plans/**/*.y*ml"], ["plans/eu/dev.yml", "plans/eu/typo.yaml", "plans/prod.yaml"]),
    (["plans/ci.yaml"], ["plans/ci.yaml"]),  # named explicitly: checked, even if not a plan
    (["plans/prod.yaml", "plans", "./plans/prod.yaml"], ["plans/prod.yaml", "plans/eu/dev.yml", "plans/eu/typo.yaml"]),
])
def test_expand_paths(tree: pathlib.Path, args: list[str], expected: list[str]) -> None:
    assert [p.as_posix() for p in expand_paths(args)] == expected


@pytest.mark.parametrize(("args", "message"), [
    (["missing.yaml"], "'missing.yaml' does not exist."),
    (["plans/*.json"], "'plans/*.json' matches no plan files."),
    (["empty"], "'empty' holds no plan files (YAML files with `kind: OutsourcingPlan`)."),
])
def test_expand_paths_rejects_arguments_that_name_nothing(tree: pathlib.Path, args: list[str], message: str) -> None:
    with pytest.raises(InputError, match="^" + re.escape(message) + "$"):
        expand_paths(args)
    with pytest.raises(click.UsageError) as caught, usage_errors():  # as the commands report it
        expand_paths(args)
    assert caught.value.message == message


def test_validate_paths_checks_every_plan_with_the_config_above_it(tree: pathlib.Path) -> None:
    # plans/provision-policies.yaml disables PRV-RES-001 for plans/ and plans/eu/.
    reports = validate_paths(["plans"], today=TODAY)
    assert [(r.file, sorted({f.rule for f in r.findings})) for r in reports] == [
        ("plans/eu/dev.yml", []),
        ("plans/eu/typo.yaml", ["SCHEMA"]),
        ("plans/prod.yaml", []),
    ]


# ---- robustness -----------------------------------------------------------------------------

def test_validate_imports_neither_pulumi_nor_boto3() -> None:
    code = (
        "import sys, pathlib\n"
        "from provision.validation.pipeline import validate_file\n"
        f"report = validate_file(pathlib.Path({str(EXAMPLE)!r}))\n"
        "assert report.plan is not None, report.findings\n"
        "print(sorted(m for m in ('pulumi', 'boto3', 'botocore') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout == "[]\n"


SEED = EXAMPLE.read_text(encoding="utf-8")


@st.composite
def mutated(draw: st.DrawFn) -> str | bytes:
    text = SEED
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 40))
        insert = draw(st.one_of(
            st.sampled_from(["", "\t", ":", ": ", "- ", "&a ", "*a", "<<: ", "[", "]", "{", "}", "'", '"', "\n", "---\n",
                             "!!binary ", "? ", "#", "~", "  ", "2027-02-30", "NO", ".inf", "\x00", "\ufeff"]),
            st.text(max_size=8),
        ))
        text = text[:at] + insert + text[at + cut:]
    if draw(st.booleans()):
        data = text.encode("utf-8", "surrogatepass")
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(max_size=4)) + data[at:]
    return text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_plans_never_crash_and_every_finding_is_located(source: str | bytes) -> None:
    report = validate_source(source, filename="fuzz.yaml", today=TODAY)
    for finding in report.findings:
        assert finding.rule != pipeline.INTERNAL_RULE, finding.message
        assert finding.line >= 1 and finding.column >= 1
        assert finding.message and finding.fix


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200)))
def test_arbitrary_input_never_crashes(source: str | bytes) -> None:
    report = validate_source(source, filename="fuzz.yaml", today=TODAY)
    assert all(f.rule != pipeline.INTERNAL_RULE and f.line >= 1 and f.column >= 1 for f in report.findings)
