"""Validate a loaded document against the plan JSON Schema, as Findings.

The validator is compiled once per process. All errors are reported: the most
relevant one (jsonschema's best_match) first, the others by JSON path; each is
located at its line:column and carries a fix sentence (see schema_messages).
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import json
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match, relevance

from provision.schemas import function_types
from provision.schemas.findings import Finding, Level
from provision.schemas.loader import Document
from provision.schemas.schema_extend import with_types
from provision.schemas.schema_messages import Context, Problem, describe

SCHEMA_FILE = "outsourcing-plan.v1.json"


def schema_text() -> str:
    """The plan JSON Schema: the file as shipped, or with the extension types merged in."""
    return _schema_text(function_types.generation())


def load_schema() -> dict[str, Any]:
    """The plan JSON Schema as a dict (shared: do not mutate)."""
    return _schema(function_types.generation())


def validator() -> jsonschema.Draft202012Validator:
    """The compiled validator, with date format checking on."""
    return _validator(function_types.generation())


@functools.cache
def _published_text() -> str:
    return importlib.resources.files("provision.schemas").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")


# Each cache keys on the registry's generation, so registering a type recompiles once.
@functools.cache
def _schema_text(generation: int) -> str:
    if not function_types.extensions():
        return _published_text()
    return json.dumps(_schema(generation), indent=2, ensure_ascii=False) + "\n"


@functools.cache
def _schema(generation: int) -> dict[str, Any]:
    return with_types(json.loads(_published_text()), function_types.extensions())


@functools.cache
def _validator(generation: int) -> jsonschema.Draft202012Validator:
    cls = jsonschema.Draft202012Validator
    schema = _schema(generation)
    return cls(_lean(schema, schema["$defs"]), format_checker=cls.FORMAT_CHECKER)


# Annotations only editors read; errors keep what messages use (examples, patternErrorMessage).
_EDITOR_ONLY = frozenset({"title", "description", "enumDescriptions", "default", "$defs"})
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "dependentSchemas"})
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})


def _lean(schema: Any, defs: dict[str, Any]) -> Any:
    """`schema` with local $refs inlined and editor annotations dropped.

    The plan schema is not recursive, so inlining terminates; it saves a
    reference lookup per $ref per plan, which matters for 1,000 plans a run.
    """
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        target = _lean(defs[schema["$ref"].removeprefix("#/$defs/")], defs)
        return {**target, **_lean({k: v for k, v in schema.items() if k != "$ref"}, defs)}
    lean: dict[str, Any] = {}
    for keyword, value in schema.items():
        if keyword in _EDITOR_ONLY:
            continue
        if keyword in _SCHEMA_MAPS:
            lean[keyword] = {name: _lean(sub, defs) for name, sub in value.items()}
        elif keyword in _SCHEMA_LISTS:
            lean[keyword] = [_lean(sub, defs) for sub in value]
        else:
            lean[keyword] = _lean(value, defs)
    return lean


def check_schema(document: Document) -> list[Finding]:
    """Every schema error of `document`, best first, then by JSON path."""
    errors = list(validator().iter_errors(jsonable(document.data)))
    if not errors:
        return []
    best = best_match(errors)
    ordered = sorted(errors, key=lambda e: (_path_key(e.absolute_path), _worst_first(e)))
    ordered.remove(_top_error_of(best, errors))
    ordered.insert(0, _top_error_of(best, errors))
    ctx = Context(document.data, load_schema(), document.positions.sources)
    problems: dict[tuple, Problem] = {}  # one per path: the most relevant
    for error in ordered:
        for problem in describe(error, ctx):
            problems.setdefault(problem.path, problem)
    # Inside a section the function's type does not allow, details are noise;
    # so is "missing `region`" next to "unknown `regoin`, did you mean `region`?".
    banned = [p.path for p in problems.values() if p.covers_children]
    explained = {p.explains for p in problems.values()}
    kept = [p for p in problems.values()
            if p.path not in explained and not any(p.path[: len(b)] == b and p.path != b for b in banned)]
    return [_finding(problem, document) for problem in kept]


def jsonable(value: Any) -> Any:
    """The document as JSON would hold it: YAML dates become ISO strings."""
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [jsonable(item) for item in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _finding(problem: Problem, document: Document) -> Finding:
    positions = document.positions
    line, column = positions.locate_key(problem.path) if problem.at_key else positions.locate(problem.path)
    return Finding(document.filename, line, column, "SCHEMA", Level.ERROR, problem.message, problem.fix,
                   path=problem.path, title="Plan does not match the schema")


def _top_error_of(best: ValidationError, errors: list[ValidationError]) -> ValidationError:
    # best_match may descend into an error's context; map it back to the top-level error.
    while best.parent is not None and best not in errors:
        best = best.parent
    return best


def _worst_first(error: ValidationError) -> tuple:
    # Sort key: the more relevant error first among siblings at one path.
    return tuple(not part if isinstance(part, bool) else part for part in relevance(error)[2:])


def _path_key(path) -> tuple:
    # Indexes and keys sort apart so that mixed paths compare without errors.
    return tuple((isinstance(part, str), str(part).zfill(8) if isinstance(part, int) else part) for part in path)
