"""Reading IAM policy documents for what they allow: trust and privilege problems.

These rules are stated independently of the code that writes the policies
(stacks.functions.iam_policies), so that verify audits what IAM holds, not
what the program meant to send.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any, Mapping

# An action whose name starts with one of these only reads.
READ_VERBS = ("Get", "List", "Describe", "Head", "Lookup", "Search", "BatchGet", "View", "Filter")
EXTERNAL_ID = "sts:ExternalId"


def parse(document: str | Mapping[str, Any]) -> dict[str, Any]:
    """A policy document as a dict; IAM may hand it back URL-encoded."""
    if isinstance(document, Mapping):
        return dict(document)
    text = document if document.lstrip().startswith("{") else urllib.parse.unquote(document)
    return json.loads(text)


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def allow_statements(document: str | Mapping[str, Any]) -> list[dict[str, Any]]:
    return [s for s in as_list(parse(document).get("Statement")) if s.get("Effect") == "Allow"]


def is_read_action(action: str) -> bool:
    """True for an action (or action pattern) that only reads, e.g. "s3:GetObject", "ec2:Describe*"."""
    _, _, verb = action.partition(":")
    return bool(verb) and verb.startswith(READ_VERBS)


def privilege_problems(document: str | Mapping[str, Any]) -> list[str]:
    """What an identity policy allows too broadly: "*" or "service:*" actions, NotAction,
    and write actions on every resource."""
    problems = []
    for index, stmt in enumerate(allow_statements(document)):
        sid = stmt.get("Sid") or f"#{index + 1}"
        if "NotAction" in stmt:
            problems.append(f"{sid}: NotAction allows every action but the listed ones")
        actions = [str(a) for a in as_list(stmt.get("Action"))]
        problems += [f"{sid}: wildcard action {a!r}" for a in actions if a == "*" or a.endswith(":*")]
        everywhere = (
            any(_every_resource(str(r)) for r in as_list(stmt.get("Resource"))) and not _tag_scoped(stmt)
        ) or "NotResource" in stmt
        if everywhere:
            writes = [a for a in actions if a != "*" and not a.endswith(":*") and not is_read_action(a)]
            problems += [f"{sid}: write action {a} on every resource" for a in writes]
            # A pattern names actions nobody listed: `s3:Get*` on every bucket reads everyone's data.
            patterns = [a for a in actions if "*" in a and a != "*" and not a.endswith(":*") and a not in writes]
            problems += [f"{sid}: action pattern {a} on every resource" for a in patterns]
    return problems


def _every_resource(resource: str) -> bool:
    """"*", or an ARN whose resource part is "*" (`arn:aws:s3:::*` is every bucket)."""
    return resource == "*" or (resource.startswith("arn:") and resource.split(":", 5)[-1] == "*")


def _tag_scoped(stmt: Mapping[str, Any]) -> bool:
    """The statement applies only to resources carrying given tags (aws:ResourceTag/... equals)."""
    equals = (stmt.get("Condition") or {}).get("StringEquals") or {}
    return any(str(key).startswith("aws:ResourceTag/") for key in equals)


def _principals_outside(principal: Any, account_id: str) -> list[str]:
    """The principals of a statement that are not the account `account_id` (or one of its identities)."""
    if not isinstance(principal, Mapping):
        return [str(principal)]
    outside = [f"{kind} principal" for kind in principal if kind != "AWS"]
    own = (account_id, f"arn:aws:iam::{account_id}:root")
    prefix = f"arn:aws:iam::{account_id}:"
    outside += [str(p) for p in as_list(principal.get("AWS")) if p not in own and not str(p).startswith(prefix)]
    return outside


def _requires_external_id(stmt: Mapping[str, Any]) -> bool:
    condition = (stmt.get("Condition") or {}).get("StringEquals") or {}
    return any(bool(v) for v in as_list(condition.get(EXTERNAL_ID)))


def trust_problems(document: str | Mapping[str, Any], account_id: str) -> list[str]:
    """What a trust policy gets wrong for a vendor in `account_id`: other principals, or no ExternalId.

    Never quotes the ExternalId itself.
    """
    statements = allow_statements(document)
    if not statements:
        return ["no statement allows anyone to assume the role"]
    problems = []
    for index, stmt in enumerate(statements):
        sid = stmt.get("Sid") or f"#{index + 1}"
        if "NotPrincipal" in stmt:
            problems.append(f"{sid}: NotPrincipal trusts everyone but the listed principals")
        outside = _principals_outside(stmt.get("Principal"), account_id)
        if outside:
            problems.append(f"{sid}: trusts {', '.join(outside)}, not only account {account_id}")
        if not _requires_external_id(stmt):
            problems.append(f"{sid}: does not require {EXTERNAL_ID} (StringEquals)")
    return problems
