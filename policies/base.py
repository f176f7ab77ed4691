"""What a governance policy is, and what it yields."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, Iterator, Mapping

from provision.schemas.model import Path, Plan

# The generated policy catalogue; every policy has an anchor there (see docs_anchor).
DOCS_PAGE = "docs/policies.md"
# A parameter the engine adds to every check's params: the evaluation date, so
# date-dependent policies (contracts, waivers) stay deterministic in tests.
TODAY = "today"
# Parameters the engine adds from the organisation's config and the plan's origin
# (never set in the config's `params`): see policies.engine.
RESIDENCIES = "residencies"  # name -> policies.residency.Residency
EXTERNAL_ID_REFS = "externalIdRefs"  # the namespace globs of policies.references
ORIGIN = "origin"  # policies.origin.PlanOrigin: where the plan file lives, or None


class Enforcement(str, Enum):
    MANDATORY = "mandatory"  # fails validation (exit 1)
    ADVISORY = "advisory"  # reported, never fails
    DISABLED = "disabled"  # not run


@dataclass(frozen=True)
class Violation:
    """One finding of one policy, pointing at the plan element at fault."""

    message: str
    path: Path
    function: str | None = None  # the function concerned, for waivers
    fix: str = ""  # how to fix this very violation; empty: the policy's remediation applies


@dataclass(frozen=True)
class Policy:
    """A governance policy: metadata plus a check over a typed plan.

    `check(plan, params)` yields Violations; `params` holds the defaults merged
    with any organisation overrides (see policies.config).
    """

    id: str
    title: str
    enforcement: Enforcement
    description: str
    remediation: str
    check: Callable[[Plan, Mapping[str, Any]], Iterator[Violation]]
    params: Mapping[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()

    @property
    def docs_anchor(self) -> str:
        return self.id.lower()

    @property
    def docs_url(self) -> str:
        """Where the policy is documented, relative to the repository root."""
        return f"{DOCS_PAGE}#{self.docs_anchor}"
