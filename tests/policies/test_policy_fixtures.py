"""Every policy against its passing and failing fixture plans (cfn-lint/checkov style).

fixtures/<POLICY-ID>/pass*.yaml must yield no result of that policy;
fixtures/<POLICY-ID>/fail*.yaml must yield exactly the results listed in its
header, one `# expect: <JSON pointer> | <message>` line each.
"""

from __future__ import annotations

import datetime as dt
import pathlib

import pytest
import yaml

from provision.policies.config import PolicyConfig
from provision.policies.engine import evaluate
from provision.policies.origin import PlanOrigin
from provision.policies.registry import POLICIES
from provision.schemas.findings import Finding, Level
from provision.schemas.model import build_plan
from provision.validation.pipeline import validate_file

TODAY = dt.date(2026, 6, 1)
FIXTURES = pathlib.Path(__file__).parent / "fixtures"
ALL_FIXTURES = sorted(FIXTURES.glob("*/*.yaml"))


def expectations(path: pathlib.Path) -> list[tuple[str, str]]:
    expected = []
    for line in path.read_text().splitlines():
        if line.startswith("# expect: "):
            pointer, message = line[len("# expect: ") :].split(" | ", 1)
            expected.append((pointer, message))
    return expected


def results_of(path: pathlib.Path, policy_id: str) -> list[tuple[str, str]]:
    plan = build_plan(yaml.safe_load(path.read_text()))
    found = []
    for result in evaluate(plan, config=PolicyConfig(), today=TODAY, origin=PlanOrigin.for_file(path)):
        if result.policy.id == policy_id:
            pointer = Finding("", 1, 1, policy_id, Level.MANDATORY, "", "", path=result.violation.path).json_pointer
            found.append((pointer, result.violation.message))
    return found


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture(fixture: pathlib.Path) -> None:
    policy_id = fixture.parent.name
    expected = expectations(fixture)
    if fixture.name.startswith("pass"):
        assert not expected, "pass fixtures expect nothing"
    else:
        assert fixture.name.startswith("fail") and expected, "fail fixtures list what they expect"
    assert sorted(results_of(fixture, policy_id)) == sorted(expected)


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.id)
def test_every_policy_has_pass_and_fail_fixtures(policy) -> None:
    names = [p.name for p in (FIXTURES / policy.id).glob("*.yaml")]
    assert any(n.startswith("pass") for n in names) and any(n.startswith("fail") for n in names)


def test_fixture_folders_name_real_policies() -> None:
    known = {p.id for p in POLICIES}
    assert {d.name for d in FIXTURES.iterdir() if d.is_dir()} <= known


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_is_a_valid_plan_through_the_validate_pipeline(fixture: pathlib.Path) -> None:
    report = validate_file(fixture, policy_config=PolicyConfig(), today=TODAY)
    assert [f for f in report.findings if f.level is Level.ERROR] == []
    located = sorted((f.json_pointer, f.message) for f in report.findings if f.rule == fixture.parent.name)
    assert located == sorted(expectations(fixture))
