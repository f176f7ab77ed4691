"""Rule metadata for the formats that carry a rule catalogue (SARIF).

Policies describe themselves (provision.policies.registry). Loader, schema and
cross-reference rules get their family's description and their findings' title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from provision.cli.formats.base import absolute_url, docs_path
from provision.policies.base import Policy
from provision.policies.registry import get
from provision.schemas.findings import Finding, Level

FAMILIES = {
    "LOAD": "The file could not be read as one YAML plan.",
    "SCHEMA": "The plan does not match the outsourcing-plan JSON Schema.",
    "XREF": "The plan refers to a provider, function, policy or region that does not exist, "
    "or AWS would refuse its zones or resource names.",
    "PRV": "A governance policy is not met.",
    "POLICY": "The policy configuration (provision-policies.yaml) is invalid.",
    "INTERNAL": "provision failed while checking the file; this is a bug in provision.",
}

def title_of(finding: Finding) -> str:
    """The finding's title; its rule family's description when the check gave none."""
    return finding.title or FAMILIES.get(finding.rule.split("-", 1)[0], "A check of the plan failed.")


# The severity a rule has before configuration and waivers, as SARIF names it.
SARIF_LEVEL = {
    Level.ERROR: "error",
    Level.MANDATORY: "error",
    Level.ADVISORY: "warning",
    Level.WAIVED: "note",
}
ENFORCEMENT_LEVEL = {"mandatory": "error", "advisory": "warning", "disabled": "none"}


@dataclass(frozen=True)
class RuleInfo:
    id: str
    name: str  # PascalCase, for tools that want an identifier (XrefSelf, LoadSyntax)
    short: str
    full: str
    help: str
    help_uri: str
    default_level: str  # error | warning | note | none


def describe(rule: str, findings: Sequence[Finding]) -> RuleInfo:
    """Metadata of `rule`, given (at least one of) the findings it produced."""
    policy = _policy(rule)
    if policy is not None:
        return RuleInfo(
            id=rule,
            name=_pascal(policy.title),
            short=policy.title,
            full=policy.description,
            help=policy.remediation,
            help_uri=absolute_url(policy.docs_url),
            default_level=ENFORCEMENT_LEVEL[policy.enforcement.value],
        )
    family = FAMILIES.get(rule.split("-", 1)[0], "A check of the plan failed.")
    return RuleInfo(
        id=rule,
        name=_pascal(rule.lower()),
        short=title_of(findings[0]),
        full=family,
        # Fixes of these checks depend on the case, so each result's message carries its own.
        help=f"{family} Each result says how to fix it.",
        help_uri=absolute_url(docs_path(findings[0])),
        default_level=SARIF_LEVEL[min((f.level for f in findings), key=_severity_rank)],
    )


def _severity_rank(level: Level) -> int:
    return [Level.ERROR, Level.MANDATORY, Level.ADVISORY, Level.WAIVED].index(level)


def _policy(rule: str) -> Policy | None:
    try:
        return get(rule)
    except KeyError:  # not a policy, or one this version does not know
        return None


def _pascal(text: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", text))
