"""The review JSON matches its published schema, and the schema declares every key the output has."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

ROOT = Path(__file__).parents[2]
SCHEMA = json.loads((ROOT / "docs" / "review.schema.json").read_text(encoding="utf-8"))
GOLDEN = Path(__file__).parent / "golden"
DOCUMENTS = sorted(GOLDEN.glob("*.json"))


def strict(schema: Any) -> Any:
    """The schema with additionalProperties false wherever properties are declared.

    The published schema lets consumers meet keys added later; this test must
    not, or an undocumented key would slip into version 1 unnoticed.
    """
    if isinstance(schema, dict):
        schema = {key: strict(value) for key, value in schema.items()}
        if "properties" in schema and schema.get("type") == "object":
            schema.setdefault("additionalProperties", False)
        return schema
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    return schema


VALIDATOR = Draft202012Validator(strict(copy.deepcopy(SCHEMA)), format_checker=FormatChecker())


def test_the_schema_is_a_valid_2020_12_schema() -> None:
    Draft202012Validator.check_schema(SCHEMA)


def test_there_are_documents_to_check() -> None:
    assert {path.name for path in DOCUMENTS} >= {"provider-swap.diff.json", "provider-swap.plan.json"}


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: path.name)
def test_golden_documents_validate(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(document)]
    assert errors == []


def test_an_undeclared_key_is_caught() -> None:
    document = json.loads((GOLDEN / "provider-swap.diff.json").read_text(encoding="utf-8"))
    document["changes"][0]["surprise"] = True
    assert [e.message for e in VALIDATOR.iter_errors(document)] == [
        "Additional properties are not allowed ('surprise' was unexpected)"]
