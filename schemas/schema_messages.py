"""Plain-language messages and fixes for JSON Schema errors on plans.

`describe` turns one jsonschema error into one or more Problems: what is wrong
(naming the plan element as a dotted path) and one sentence on how to fix it,
using the schema's own enums, examples and `patternErrorMessage`s.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping

import yaml
from jsonschema.exceptions import ValidationError

from provision.schemas import function_types
from provision.schemas.model import Path

_VENDOR_ONLY = ("accountId", "externalIdRef")
_TYPE_NAMES = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "object": "a mapping of keys", "array": "a list", "null": "empty"}


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str
    fix: str
    at_key: bool = False  # point at the key of `path` rather than its value
    covers_children: bool = False  # problems inside `path` add nothing to this one
    explains: Path | None = None  # a missing key this problem accounts for (a typo of it)


def dotted(path: Path) -> str:
    """`spec.waivers[0].expires`: how messages name a plan element."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the top level"


def flow(value: Any) -> str:
    """`value` as one line of YAML, the way a user would type it."""
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000, allow_unicode=True).strip()
    text = text.removesuffix("\n...").removesuffix("...").strip()
    if isinstance(value, str) and text.startswith("'"):
        return json.dumps(value, ensure_ascii=False)  # the quotes people type in plans
    return text


def _one_of(values: list) -> str:
    return ", ".join(flow(v) for v in values)


def _suggest(value: Any, choices: list) -> str | None:
    if not isinstance(value, str):
        return None
    names = [c for c in choices if isinstance(c, str)]
    match = difflib.get_close_matches(value, names, n=1, cutoff=0.6) or difflib.get_close_matches(
        value.lower(), [n.lower() for n in names], n=1, cutoff=0.6)
    if not match:
        return None
    return next(n for n in names if n.lower() == match[0].lower())


def _example(schema: Any) -> str | None:
    examples = schema.get("examples") if isinstance(schema, dict) else None
    return flow(examples[0]) if examples else None


def _node(data: Any, path: Path) -> Any:
    for part in path:
        data = data[part]
    return data


@dataclass(frozen=True)
class Context:
    data: dict  # the document, as validated
    schema: dict  # the whole plan schema
    sources: Mapping[Path, str]  # what the user wrote for non-string scalars


def describe(error: ValidationError, ctx: Context) -> list[Problem]:
    """The Problems one schema error stands for (several for a list of unknown keys)."""
    path = tuple(error.absolute_path)
    if "propertyNames" in error.schema_path:
        return [_bad_name(error, path)]
    handler = _HANDLERS.get(error.validator or "false", _generic)
    return list(handler(error, path, ctx))


def _bad_name(error: ValidationError, parent: Path) -> Problem:
    key = error.instance
    hint = error.schema.get("patternErrorMessage", "") if isinstance(error.schema, dict) else ""
    return Problem(parent + (key,), f"`{key}` is not a valid name in `{dotted(parent)}`. {hint}".strip(),
                   f"Rename `{key}` to a name such as `{_example(error.schema) or 'web'}`.", at_key=True)


def _required(error: ValidationError, path: Path, ctx: Context) -> Iterator[Problem]:
    present = error.instance if isinstance(error.instance, dict) else {}
    for key in error.validator_value:
        if key in present:
            continue
        where = dotted(path)
        if function_types.type_of_section(key) and "then" in error.schema_path:
            type_ = present.get("type")
            message = f"`{where}` is a `{type_}` function, so it needs a `{key}:` section."
        elif key in _VENDOR_ONLY and "then" in error.schema_path:
            message = (f"`{where}` is an external provider ({present.get('type')}), so it needs `{key}`: "
                       "its least-privilege role lives in the vendor's account.")
        else:
            message = f"`{where}` is missing the required key `{key}`."
        example = _example(_property_schema(error, path, key, ctx.schema))
        fix = f"Add `{key}:` " + (f"under `{where}`" if path else "at the top level")
        fix += f", e.g. `{key}: {example}`." if example else "."
        yield Problem(path + (key,), message, fix)


def _property_schema(error: ValidationError, path: Path, key: str, schema: dict) -> Any:
    properties = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
    found = properties.get(key)
    if isinstance(found, dict):
        return found
    # `then` branches name only the key; its schema is in the object's own definition.
    owner = "function" if len(path) == 3 and path[1] == "functions" else "provider"
    return schema["$defs"][owner]["properties"].get(key, {})


def _unknown_keys(error: ValidationError, path: Path, ctx: Context) -> Iterator[Problem]:
    allowed = list(error.schema.get("properties", {}))
    for key in error.instance:
        if key in allowed:
            continue
        where = dotted(path)
        guess = _suggest(key, allowed)
        fix = f"Did you mean `{guess}`?" if guess else f"Remove it; `{where}` takes: {', '.join(allowed)}."
        missing = path + (guess,) if guess and guess not in error.instance else None
        yield Problem(path + (key,), f"Unknown key `{key}` in `{where}`.", fix, at_key=True, explains=missing)


def _forbidden(error: ValidationError, path: Path, ctx: Context) -> Iterator[Problem]:
    # A `false` subschema: a section another function type owns, or a vendor-only provider key.
    owner = _node(ctx.data, path)
    if len(path) == 3 and path[1] == "functions":
        type_ = owner.get("type")
        own = function_types.section_of(type_) if type_ in function_types.names() else None
        for section in (t.section for t in function_types.all_types()):
            if section in owner and section != own:
                yield Problem(
                    path + (section,),
                    f"`{dotted(path)}` is a `{type_}` function: it takes only the `{own}:` section, not `{section}:`.",
                    f"Remove `{section}:`, or set `type: {function_types.type_of_section(section)}` if this function should be one.",
                    at_key=True, covers_children=True)
    else:
        for key in _VENDOR_ONLY:
            if key in owner:
                yield Problem(
                    path + (key,), f"`{key}` is only for external providers (msp, bpo); `{dotted(path)}` is `cloud`.",
                    f"Remove `{key}:`, or set `type: msp` or `type: bpo` if this provider is an outside vendor.",
                    at_key=True)


def _enum(error: ValidationError, path: Path, ctx: Context) -> Iterator[Problem]:
    choices = error.validator_value
    guess = _suggest(error.instance, choices)
    fix = (f"Did you mean `{guess}`? " if guess else "") + f"Use one of: {_one_of(choices)}."
    yield Problem(path, f"`{dotted(path)}` is `{flow(error.instance)}`, which is not one of the allowed values.", fix)


def _const(error: ValidationError, path: Path, ctx: Context) -> Iterator[Problem]:
    expected = flow(error.validator_value)
    yield Problem(path, f"`{dotted(path)}` must be `{expected}`, not `{flow(error.instance)}`.",
                  f"Write `{path[-1]}: {expected}`.")


def _type(error: ValidationError, path: Path, ctx: Context) -> Iterator[Problem]:
    expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
    wanted = " or ".join(_TYPE_NAMES.get(t, t) for t in expected)
    if "string" in expected and isinstance(error.instance, (bool, int, float)) and path:
        text = ctx.sources.get(path) or flow(error.instance)
        key = f"{path[-1]}: " if isinstance(path[-1], str) else ""
        yield Problem(path, f"`{dotted(path)}` must be text, but YAML read `{text}` as {_kind(error.instance)}.",
                      f'Quote it: `{key}"{text}"`.')
        return
    example = _example(error.schema)
    fix = f"Write {wanted} here" + (f", e.g. `{path[-1]}: {example}`." if example and path else ".")
    yield Problem(path, f"`{dotted(path)}` must be {wanted}, not {_kind(error.instance)}.", fix)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty (null)"
    return "text"


def _pattern(error: ValidationError, path: Path, ctx: Context) -> Iterator[Problem]:
    hint = error.schema.get("patternErrorMessage") or f"It must match `{error.validator_value}`."
    example = _example(error.schema)
    fix = f"Write a value such as `{example}`." if example else "Fix the value's format."
    yield Problem(path, f"`{dotted(path)}`: `{error.instance}` is not valid. {hint}", fix)


def _format(error: ValidationError, path: Path, ctx: Context) -> Iterator[Problem]:
    yield Problem(path, f"`{dotted(path)}`: `{error.instance}` is not a real date.",
                  "Write an existing date as YYYY-MM-DD, such as 2027-01-31.")


def _range(error: ValidationError, path: Path, ctx: Context) -> Iterator[Problem]:
    low = error.schema.get("minimum", error.schema.get("exclusiveMinimum"))
    high = error.schema.get("maximum", error.schema.get("exclusiveMaximum"))
    if "exclusiveMinimum" in error.schema and "maximum" not in error.schema:
        fix = f"Use a number greater than {flow(low)}."
    elif "exclusiveMinimum" in error.schema:
        fix = f"Use a number greater than {flow(low)} and at most {flow(high)}."
    elif low is not None and high is not None:
        fix = f"Use a value from {flow(low)} to {flow(high)}."
    elif low is not None:
        fix = f"Use a value of at least {flow(low)}."
    else:
        fix = f"Use a value of at most {flow(high)}."
    yield Problem(path, f"`{dotted(path)}` is {flow(error.instance)}, out of range.", fix)


def _too_few(error: ValidationError, path: Path, ctx: Context) -> Iterator[Problem]:
    count = error.validator_value
    what = "entry" if error.validator == "minProperties" else "item"
    example = _example(error.schema)
    yield Problem(path, f"`{dotted(path)}` needs at least {count} {what}{'s' if count != 1 else ''}.",
                  f"Add an {what}" + (f", e.g. `{path[-1]}: {example}`." if example and path else "."))


def _unique(error: ValidationError, path: Path, ctx: Context) -> Iterator[Problem]:
    seen, repeated = [], None
    for item in error.instance:
        if item in seen:
            repeated = item
            break
        seen.append(item)
    yield Problem(path, f"`{dotted(path)}` lists `{flow(repeated)}` more than once.", "Remove the repeated item.")


def _length(error: ValidationError, path: Path, ctx: Context) -> Iterator[Problem]:
    if error.validator == "minLength":
        yield Problem(path, f"`{dotted(path)}` is too short: at least {error.validator_value} characters.",
                      "Write a longer, meaningful value.")
    else:
        yield Problem(path, f"`{dotted(path)}` is too long: at most {error.validator_value} characters.",
                      "Shorten the value.")


def _generic(error: ValidationError, path: Path, ctx: Context) -> Iterator[Problem]:
    yield Problem(path, f"`{dotted(path)}`: {error.message}.", "Fix the value as the message describes.")


_HANDLERS: dict[str, Callable[..., Iterator[Problem]]] = {
    "required": _required,
    "additionalProperties": _unknown_keys,
    "false": _forbidden,
    "enum": _enum,
    "const": _const,
    "type": _type,
    "pattern": _pattern,
    "format": _format,
    "minimum": _range,
    "maximum": _range,
    "exclusiveMinimum": _range,
    "exclusiveMaximum": _range,
    "minItems": _too_few,
    "minProperties": _too_few,
    "uniqueItems": _unique,
    "minLength": _length,
    "maxLength": _length,
}
