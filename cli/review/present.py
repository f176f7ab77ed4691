"""What the text and markdown renderers say alike: orderings, labels and one-line summaries."""

from __future__ import annotations

from typing import Sequence

from provision.cli.formats.base import plural
from provision.cli.review.model import (
    AREAS,
    Change,
    CostReview,
    FindingChange,
    FindingStatus,
    Flag,
    FunctionCost,
    Review,
    VendorLoad,
    WaiverNote,
)
from provision.cli.review.resources import OPS, FunctionResources, ResourceChange
from provision.cli.review.verdict import signed_usd
from provision.policies.plan_facts import dotted, usd

FLAG_LABELS = {Flag.RESIDENCY: "residency", Flag.WEAKENING: "weaker"}
_FLAG_ORDER = [Flag.RESIDENCY, Flag.WEAKENING, None]


def ordered_changes(changes: Sequence[Change]) -> list[Change]:
    """Residency breaks first, then weakenings, then the rest; each group by area."""
    return sorted(changes, key=lambda c: (_FLAG_ORDER.index(c.flag), AREAS.index(c.area)))


def where(finding_change: FindingChange) -> str:
    """E.g. "spec.functions.web, line 31"."""
    finding = finding_change.finding
    location = dotted(finding.path) or "plan"
    side = "BASE " if finding_change.status is FindingStatus.FIXED else ""
    return f"{location}, {side}line {finding.line}"


def findings_summary(review: Review) -> str:
    """E.g. "1 new, 2 fixed, 3 still open (1 mandatory, 2 advisory)"."""
    if review.base is None:
        parts = [plural(len(review.findings), "finding")]
    else:
        parts = [
            f"{len(review.findings_with(FindingStatus.NEW))} new",
            f"{len(review.findings_with(FindingStatus.FIXED))} fixed",
            f"{len(review.findings_with(FindingStatus.OPEN))} still open",
        ]
    current = [item.finding.level.value for item in review.findings if item.status is not FindingStatus.FIXED]
    levels = [f"{current.count(level)} {level}" for level in ("mandatory", "advisory", "waived") if level in current]
    return ", ".join(parts) + (f"; HEAD has {', '.join(levels)}" if levels else "")


def waiver_state(note: WaiverNote) -> str:
    """E.g. "added; expires in 12 days", "removed", "expired 3 days ago"."""
    parts = [note.change] if note.change else []
    if note.expired:
        parts.append(f"expired {plural(-note.days_left, 'day')} ago")
    elif note.expiring:
        parts.append("expires today" if note.days_left == 0 else f"expires in {plural(note.days_left, 'day')}")
    return "; ".join(parts)


def vendor_cell(functions: Sequence[str], share: float | None) -> str:
    """E.g. "2 (soc, backups), 50%"."""
    if not functions:
        return "0"
    cell = f"{len(functions)} ({', '.join(functions)})"
    return cell + (f", {share:.0%} of critical" if share is not None else "")


def concentration_rows(loads: Sequence[VendorLoad]) -> list[VendorLoad]:
    """The vendors that run a critical function before or after."""
    return [load for load in loads if load.before or load.after]


TREND = {"up": "▲ more concentrated", "down": "▼ less concentrated", "same": ""}


def cost_line(cost: CostReview, has_base: bool) -> str:
    """E.g. "$1,200.00 → $1,510.00 (+$310.00) a month; budget $2,500.00: within budget"."""
    if has_base and cost.total_before is not None and round(cost.delta, 2):
        line = f"{usd(cost.total_before)} → {usd(cost.total_after)} ({signed_usd(cost.delta)}) a month"
    else:
        line = f"{usd(cost.total_after)} a month" + (" (unchanged)" if has_base else "")
    if cost.budget is None:
        return line + "; no budget set"
    state = "OVER BUDGET" if cost.over_budget else f"within budget ({cost.total_after / cost.budget:.0%})"
    budget = usd(cost.budget)
    if has_base and cost.budget_before != cost.budget:
        budget = f"{usd(cost.budget_before) if cost.budget_before is not None else '(none)'} → {budget}"
    return f"{line}; budget {budget}: {state}"


def money(amount: float | None) -> str:
    return "—" if amount is None else usd(amount)


def cost_rows(cost: CostReview, has_base: bool) -> list[tuple[str, str, str, str, str]]:
    """(function, before, after, change, budget): over-budget ones first, then changed ones, then
    one row for the unchanged rest (every function when there is no BASE), then plan-wide items."""
    def row(c: FunctionCost) -> tuple[str, str, str, str, str]:
        budget = "—" if c.budget is None else money(c.budget) + (" OVER" if c.over_budget else "")
        return (c.function, money(c.before), money(c.after), _delta(c.delta, has_base), budget)

    shown = [c for c in cost.functions if not has_base or c.over_budget or round(c.delta, 2)]
    rest = [c for c in cost.functions if c not in shown]
    rows = [row(c) for c in sorted(shown, key=lambda c: not c.over_budget)]
    if rest:
        # From the estimate's total, so the rows add up to it despite each function's rounding.
        total = cost.total_after - cost.plan_level_after - sum(c.after or 0.0 for c in shown)
        rows.append((f"{plural(len(rest), 'function')} unchanged", money(total), money(total), "·", "—"))
    if cost.plan_level_after or cost.plan_level_before:
        delta = cost.plan_level_after - (cost.plan_level_before or 0.0)
        rows.append(("(plan-wide)", money(cost.plan_level_before), money(cost.plan_level_after),
                     _delta(delta, has_base), "—"))
    return rows


def _delta(amount: float, has_base: bool) -> str:
    if not has_base:
        return "—"
    return signed_usd(amount) if round(amount, 2) else "·"


def destructive(resources: Sequence[FunctionResources]) -> list[tuple[FunctionResources, ResourceChange]]:
    """Deletes and replaces, deletes first, in preview order otherwise."""
    found = [(group, change) for group in resources for change in group.changes if change.destructive]
    return sorted(found, key=lambda pair: pair[1].op != "delete")


def resource_order(resources: Sequence[FunctionResources]) -> list[FunctionResources]:
    """Functions with destructive changes first, then changed ones, then unchanged ones."""
    def rank(group: FunctionResources) -> int:
        if any(change.destructive for change in group.changes):
            return 0
        return 1 if group.changed else 2

    return sorted(resources, key=rank)


def op_counts(group: FunctionResources) -> list[int]:
    return [group.count(op) for op in OPS]


def reasons(change: ResourceChange) -> str:
    return ", ".join(change.reasons)
