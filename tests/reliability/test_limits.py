"""Input limits hold exactly at their boundary, through the CLI too, and docs/limits.md states them as enforced."""

from __future__ import annotations

import pathlib

import pytest
from click.testing import CliRunner

from provision.cli.main import cli
from provision.schemas.loader import MAX_BYTES, LoadError, load_document
from provision.schemas.yaml_build import MAX_ALIAS_NODES, MAX_DEPTH

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "limits.md"


def _nested(levels: int) -> str:
    return "a: " + "[" * levels + "]" * levels + "\n"


def _aliased(values: int) -> str:
    # Expanding `*a` yields the list itself plus its items.
    return "a: &a [" + ", ".join(["x"] * (values - 1)) + "]\nb: *a\n"


def _sized(size: int) -> str:
    return "a: 1\n" + "#" * (size - 5)


# (what, text at the limit, text one past it, rule of the finding past it)
BOUNDARIES = [
    ("size", _sized(MAX_BYTES), _sized(MAX_BYTES + 1), "LOAD-TOO-LARGE"),
    ("nesting", _nested(MAX_DEPTH), _nested(MAX_DEPTH + 1), "LOAD-DEPTH"),
    ("aliases", _aliased(MAX_ALIAS_NODES), _aliased(MAX_ALIAS_NODES + 1), "LOAD-ALIAS"),
]


@pytest.mark.parametrize(("what", "at_limit", "past_limit", "rule"), BOUNDARIES, ids=[b[0] for b in BOUNDARIES])
def test_a_limit_admits_its_value_and_refuses_one_more(what: str, at_limit: str, past_limit: str, rule: str) -> None:
    assert load_document(at_limit).data["a"] is not None
    with pytest.raises(LoadError) as caught:
        load_document(past_limit)
    assert [f.rule for f in caught.value.findings] == [rule]


def test_an_endless_file_is_read_no_further_than_the_limit() -> None:
    # /dev/zero never ends; reading it whole would never return.
    with pytest.raises(LoadError) as caught:
        load_document(pathlib.Path("/dev/zero"))
    [finding] = caught.value.findings
    assert finding.rule == "LOAD-TOO-LARGE"


@pytest.mark.parametrize(
    ("text", "rule", "message"),
    [
        (_sized(MAX_BYTES + 1), "LOAD-TOO-LARGE", "The file is over the 1 MiB limit for plans (1,048,577 bytes or more)."),
        (_nested(MAX_DEPTH + 1), "LOAD-DEPTH", "The document nests deeper than 50 levels."),
        (_aliased(MAX_ALIAS_NODES + 1), "LOAD-ALIAS", "Aliases expand to more than 10,000 values (an alias bomb?)."),
    ],
)
def test_validate_reports_a_broken_limit_as_invalid_input(tmp_path: pathlib.Path, text: str, rule: str, message: str) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(text)
    result = CliRunner().invoke(cli, ["validate", str(plan), "--format", "text"])
    assert result.exit_code == 2, result.output
    assert rule in result.output and message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "statement",
    [
        f"at most 1 MiB ({MAX_BYTES:,} bytes)",
        f"at most {MAX_DEPTH} levels of collections below the top-level mapping",
        f"at most {MAX_ALIAS_NODES:,} values produced by expanding aliases",
    ],
)
def test_the_documented_limits_are_the_enforced_ones(statement: str) -> None:
    assert statement in DOC.read_text()
