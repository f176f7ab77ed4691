"""Huge hex and base-60 integers are located findings, never an internal error."""

from __future__ import annotations

import pathlib

import pytest

from provision.policies.config import PolicyConfig
from provision.validation.pipeline import validate_source

REPO = pathlib.Path(__file__).resolve().parents[1]
PLAN = (REPO / "examples" / "saas-startup.yaml").read_text(encoding="utf-8")
LINE = next(i for i, line in enumerate(PLAN.splitlines(), 1) if "monthlyUSD: 2500" in line)


@pytest.mark.parametrize(("value", "rule", "message"), [
    ("0x" + "f" * 6000, "LOAD-SYNTAX", "`0xffffffffffffffffff…ffffffff` (6,002 characters) is too large a number."),
    ("1" + ":59" * 3000, "LOAD-SYNTAX", "`1:59:59:59:59:59:59:…59:59:59` (9,001 characters) is too large a number."),
    # Big enough to overflow a float, small enough to print: the schema's maximum catches it.
    ("0x" + "f" * 300, "SCHEMA", None),
    ("1" + ":59" * 200, "SCHEMA", None),
])
def test_huge_integers_are_located_findings(value: str, rule: str, message: str | None) -> None:
    report = validate_source(PLAN.replace("monthlyUSD: 2500", f"monthlyUSD: {value}"), filename="p.yaml",
                             policy_config=PolicyConfig())
    assert [(f.rule, f.line, f.column) for f in report.findings] == [(rule, LINE, 17)]
    if message is not None:
        assert report.findings[0].message == message
    else:
        assert report.findings[0].message.endswith(", out of range.")
        assert report.findings[0].fix == "Use a number greater than 0 and at most 1000000000."
