"""The example plans: the realistic ones validate clean, each invalid one fails as its header says.

Every examples/invalid/ file starts with `# expect: exit=<1|2> line=<N> rule=<RULE>`:
the exit code `provision validate` gives it, and the line and rule of the first
finding at the level that decides that exit code (ERROR for 2, MANDATORY for 1).
"""

from __future__ import annotations

import datetime as dt
import pathlib
import re

import pytest

from provision.cli.formats.base import Summary
from provision.schemas.findings import Level
from provision.validation.pipeline import validate_file

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"
INVALID = sorted((EXAMPLES / "invalid").glob("*.yaml"))
TODAY = dt.date(2026, 12, 1)
HEADER = re.compile(rb"^# expect: exit=(?P<exit>[12]) line=(?P<line>\d+) rule=(?P<rule>[A-Z0-9-]+)\n")
SCHEMA_LINE = "# yaml-language-server: $schema=../schemas/outsourcing-plan.v1.json\n"


@pytest.mark.parametrize("name", ["saas-startup.yaml", "eu-fintech.yaml", "us-healthcare.yaml"])
def test_realistic_example_validates_without_errors_or_mandatory_findings(name: str) -> None:
    report = validate_file(EXAMPLES / name, today=TODAY)
    blocking = [(f.rule, f.line, f.message) for f in report.findings if f.level in (Level.ERROR, Level.MANDATORY)]
    assert blocking == []
    assert report.plan is not None and report.plan.name == report.plan.raw["metadata"]["name"]


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_example_points_editors_at_the_schema(example: pathlib.Path) -> None:
    assert example.read_text(encoding="utf-8").startswith(SCHEMA_LINE)


def test_fintech_and_healthcare_examples_cover_what_they_claim() -> None:
    fintech = validate_file(EXAMPLES / "eu-fintech.yaml", today=TODAY).plan
    assert (fintech.region, set(fintech.compliance)) == ("eu-central-1", {"gdpr", "pci-dss"})
    assert {"network", "monitoring"} <= {f.type for f in fintech.functions.values()}
    assert sum(p.external for p in fintech.providers.values()) >= 3
    health = validate_file(EXAMPLES / "us-healthcare.yaml", today=TODAY).plan
    assert (health.region, "hipaa" in health.compliance) == ("us-east-1", True)
    exchange = health.functions_of_type("data-exchange")[0]
    assert health.provider_of(exchange).type == "bpo"
    assert {"backup", "security-monitoring"} <= {f.type for f in health.functions.values()}


def _expectation(path: pathlib.Path) -> tuple[int, int, str]:
    match = HEADER.match(path.read_bytes())
    assert match, f"{path.name} must start with '# expect: exit=<1|2> line=<N> rule=<RULE>'"
    return int(match["exit"]), int(match["line"]), match["rule"].decode()


@pytest.mark.parametrize("example", INVALID, ids=lambda p: p.name)
def test_invalid_example_fails_as_its_header_says(example: pathlib.Path) -> None:
    exit_code, line, rule = _expectation(example)
    report = validate_file(example, today=TODAY)
    assert Summary.of([report]).exit_code == exit_code
    deciding = Level.ERROR if exit_code == 2 else Level.MANDATORY
    first = next(f for f in report.findings if f.level is deciding)
    assert (first.line, first.rule) == (line, rule)
    assert first.message and first.fix and first.file == str(example)


def test_invalid_examples_cover_every_kind_of_mistake() -> None:
    rules = {_expectation(path)[2] for path in INVALID}
    assert {
        "LOAD-SYNTAX", "LOAD-DUPLICATE-KEY", "LOAD-TABS", "LOAD-ALIAS", "LOAD-NOT-MAPPING", "LOAD-EMPTY",
        "LOAD-MULTI-DOC", "LOAD-ENCODING", "SCHEMA", "XREF-PROVIDER", "XREF-FUNCTION", "XREF-SELF",
        "XREF-POLICY", "PRV-RES-001", "PRV-GOV-001",
    } <= rules
    names = {path.stem for path in INVALID}
    assert {"bad-enum", "missing-required", "unknown-key", "wrong-section"} <= names
