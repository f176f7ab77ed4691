"""PRV-SEC-002: no secret values inside the plan."""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.policies.plan_facts import dotted
from provision.schemas.model import Path, Plan

# (what it is, pattern); the first match names the finding.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("credentials in a URL", re.compile(r"://[^/\s:@]+:[^/\s@]+@")),
    # key=value (env or query-string style), or key: value where the value has a digit or a
    # symbol, so prose such as "the password: policy" is not a finding.
    (
        "a credential assignment",
        re.compile(
            r"(?i)\b(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key)"
            r"(?:=\S{4,}|\s*[:=]\s*(?=\S*(?:[0-9_]|[^\w\s]))\S{6,})"
        ),
    ),
)
# Single tokens of base64/url-safe characters; dots, colons and slashes-with-dots
# (paths, URLs, emails, references) never match the character class with '.'/':'/'@'.
TOKEN = re.compile(r"^[A-Za-z0-9+/=_-]+$")
MIN_TOKEN_LENGTH = 32
MIN_ENTROPY_BITS = 4.0


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def looks_random(value: str) -> bool:
    # Pure hex (commit SHAs in labels) is common and left alone.
    if len(value) < MIN_TOKEN_LENGTH or not TOKEN.match(value) or re.fullmatch(r"[0-9a-fA-F]+", value):
        return False
    classes = sum(bool(re.search(c, value)) for c in ("[a-z]", "[A-Z]", "[0-9]"))
    return classes >= 3 and entropy(value) >= MIN_ENTROPY_BITS


def what_secret(value: str) -> str | None:
    for name, pattern in PATTERNS:
        if pattern.search(value):
            return name
    for word in value.split():
        if looks_random(word):
            return f"a high-entropy token of {len(word)} characters"
    return None


def strings(node: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, Mapping):
        for key, value in node.items():
            yield from strings(value, path + (str(key),))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from strings(value, path + (index,))


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    for path, value in strings(plan.raw):
        kind = what_secret(value)
        if kind:
            function = str(path[2]) if path[:2] == ("spec", "functions") and len(path) > 2 else None
            # Never echo the value: the finding would leak the secret into CI logs.
            yield Violation(f"{dotted(path)} looks like it holds a secret ({kind})", path, function)


POLICY = Policy(
    id="PRV-SEC-002",
    title="No secrets inline in the plan",
    enforcement=Enforcement.MANDATORY,
    description=(
        "Plans live in git and CI logs, so they must only reference secrets (externalIdRef takes "
        "env:, ssm: or secretsmanager: references). Every string in the document is scanned for "
        "AWS access key ids, private keys, credentials in URLs, credential assignments (password=..., "
        "or token: followed by a value with a digit or symbol) "
        "and long random-looking tokens (32+ characters mixing lower case, upper case and digits, "
        "at least 4 bits of entropy per character; pure hex such as commit hashes is allowed). "
        "Findings name the location and the kind of secret, never the value."
    ),
    remediation=(
        "Remove the value from the plan, rotate it (it is in git history now), and reference it "
        "from a secret store instead."
    ),
    check=check,
    tags=("security", "secrets"),
)
