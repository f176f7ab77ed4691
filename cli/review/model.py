"""What a review of a plan change is made of.

Plain frozen data: `provision.cli.review.review.build_review` fills it, the
renderers read it, and nothing here decides anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Any

from provision.schemas.findings import Finding, Level
from provision.schemas.model import Waiver

# Display order of the areas a change belongs to.
AREAS = ("policy-config", "functions", "providers", "access", "data", "service-levels", "settings", "plan")


class Flag(str, Enum):
    """Why a change needs a reviewer's attention before anything else."""

    WEAKENING = "weakening"  # a service level, protection or control got weaker
    RESIDENCY = "residency"  # data goes outside the plan's residency


@dataclass(frozen=True)
class Change:
    """One semantic change between two versions of a plan."""

    area: str  # one of AREAS
    function: str | None  # the function concerned; None for plan- and provider-level changes
    field: str  # plan terms, e.g. "provider", "backup.rpoHours", "spec.region"
    before: Any  # plain JSON value; None when absent
    after: Any
    message: str  # one line, e.g. "backup: aws → nightwatch"
    flag: Flag | None = None

    @property
    def flagged(self) -> bool:
        return self.flag is not None


@dataclass(frozen=True)
class VendorLoad:
    """The critical functions one external vendor runs, before and after."""

    vendor: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    critical_before: int  # critical functions in the whole plan, for the share
    critical_after: int

    @property
    def share_before(self) -> float | None:
        return len(self.before) / self.critical_before if self.critical_before else None

    @property
    def share_after(self) -> float | None:
        return len(self.after) / self.critical_after if self.critical_after else None

    @property
    def trend(self) -> str:
        """"up", "down" or "same": the count of critical functions at this vendor."""
        if len(self.after) > len(self.before):
            return "up"
        if len(self.after) < len(self.before):
            return "down"
        return "same"


class FindingStatus(str, Enum):
    NEW = "new"  # in HEAD only
    FIXED = "fixed"  # in BASE only
    OPEN = "open"  # in both (or HEAD has no BASE to compare with)


@dataclass(frozen=True)
class FindingChange:
    status: FindingStatus
    finding: Finding  # HEAD's finding, or BASE's for a fixed one

    @property
    def failing(self) -> bool:
        """A mandatory finding HEAD still has: it blocks the change."""
        return self.status is not FindingStatus.FIXED and self.finding.level in (Level.MANDATORY, Level.ERROR)


@dataclass(frozen=True)
class WaiverNote:
    """A waiver worth a reviewer's look: changed, expiring soon or expired."""

    waiver: Waiver
    change: str | None  # added | removed | renewed (expiry changed) | None (unchanged)
    days_left: int  # until expiry, from the review date; negative once expired

    @property
    def expired(self) -> bool:
        return self.change != "removed" and self.days_left < 0

    @property
    def expiring(self) -> bool:
        return self.change != "removed" and 0 <= self.days_left <= EXPIRY_WARNING_DAYS


EXPIRY_WARNING_DAYS = 30


@dataclass(frozen=True)
class FunctionCost:
    function: str
    before: float | None  # monthly USD; None when the function is not in BASE
    after: float | None  # None when the function is not in HEAD
    budget: float | None  # HEAD's budget for the function

    @property
    def delta(self) -> float:
        return (self.after or 0.0) - (self.before or 0.0)

    @property
    def over_budget(self) -> bool:
        return self.budget is not None and self.after is not None and self.after > self.budget


@dataclass(frozen=True)
class CostReview:
    price_table: str  # the version of the price table the estimate used
    functions: tuple[FunctionCost, ...]
    plan_level_before: float | None  # plan-wide items (budgets); None without a BASE
    plan_level_after: float
    total_before: float | None  # None without a BASE
    total_after: float
    budget: float | None  # HEAD's spec.budget.monthlyUSD
    budget_before: float | None

    @property
    def delta(self) -> float:
        return self.total_after - (self.total_before or 0.0)

    @property
    def over_budget(self) -> bool:
        return self.budget is not None and self.total_after > self.budget

    @property
    def functions_over_budget(self) -> list[FunctionCost]:
        return [cost for cost in self.functions if cost.over_budget]

    @property
    def changed(self) -> bool:
        return round(self.delta, 2) != 0 or self.budget != self.budget_before


@dataclass(frozen=True)
class FunctionSummary:
    """One function of HEAD, as the inventory of a new plan lists it."""

    name: str
    type: str
    provider: str
    external: bool  # the provider is an external vendor
    tier: str
    data: str
    availability: float | None


@dataclass(frozen=True)
class Review:
    """Everything a reviewer reads about one change of one plan."""

    plan: str  # HEAD's metadata.name
    base: str | None  # the BASE source as given; None when there is none (a new plan)
    head: str
    today: dt.date
    functions: tuple[FunctionSummary, ...]  # HEAD's, in plan order
    changes: tuple[Change, ...]
    concentration: tuple[VendorLoad, ...]
    findings: tuple[FindingChange, ...]
    waivers: tuple[WaiverNote, ...]
    cost: CostReview | None  # None when no estimate is available
    policy_config: str = "defaults"  # the config both sides were judged by: its path, or "defaults"
    # Vendor access (cli.review.access): what each vendor gains and loses, and HEAD's vendors → functions map.
    access: tuple[Any, ...] = ()  # AccessDelta
    access_map: tuple[Any, ...] = ()  # HEAD's vendors, as in the access document

    @property
    def flagged(self) -> list[Change]:
        return [change for change in self.changes if change.flagged]

    @property
    def weakenings(self) -> list[Change]:
        return [change for change in self.changes if change.flag is Flag.WEAKENING]

    @property
    def residency_breaks(self) -> list[Change]:
        return [change for change in self.changes if change.flag is Flag.RESIDENCY]

    @property
    def failures(self) -> list[FindingChange]:
        return [item for item in self.findings if item.failing]

    def findings_with(self, status: FindingStatus) -> list[FindingChange]:
        return [item for item in self.findings if item.status is status]

    @property
    def changed(self) -> bool:
        """True when BASE and HEAD differ in anything a reviewer reads (False without a BASE)."""
        return bool(
            self.changes
            or any(item.status is not FindingStatus.OPEN for item in self.findings)
            or any(note.change for note in self.waivers)
            or (self.cost is not None and self.cost.changed)
        )
