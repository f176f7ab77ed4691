"""The one-line verdict that opens every review: blocked, needs attention, fine, or nothing to see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from provision.cli.formats.base import plural
from provision.cli.review.model import Change, Review
from provision.cli.review.resources import FunctionResources
from provision.policies.plan_facts import usd

STATUSES = ("blocked", "attention", "ok", "unchanged")
LABELS = {"blocked": "Blocked", "attention": "Needs attention", "ok": "No concerns", "unchanged": "No changes"}
ICONS = {"blocked": "❌", "attention": "⚠️", "ok": "✅", "unchanged": "➖"}


@dataclass(frozen=True)
class Verdict:
    status: str  # one of STATUSES
    concerns: tuple[str, ...]  # what makes it blocked or worth attention, most serious first
    facts: tuple[str, ...]  # what changed, for context

    @property
    def label(self) -> str:
        return LABELS[self.status]

    @property
    def icon(self) -> str:
        return ICONS[self.status]

    def sentence(self) -> str:
        """E.g. "Needs attention: 1 residency break, 2 weakening changes; 1 function moved, cost +$310.00/month"."""
        parts = [", ".join(self.concerns), ", ".join(self.facts)]
        detail = "; ".join(part for part in parts if part)
        return f"{self.label}: {detail}" if detail else self.label


def signed_usd(amount: float) -> str:
    amount = round(amount, 2)
    return ("+" if amount > 0 else "-" if amount < 0 else "±") + usd(abs(amount))


def judge(review: Review, resources: Sequence[FunctionResources] | None = None) -> Verdict:
    """The verdict on `review` (and on the preview's `resources`, when there is one)."""
    blocking = [plural(len(review.failures), "mandatory policy finding")] if review.failures else []
    concerns = list(blocking)
    if review.residency_breaks:
        concerns.append(plural(len(review.residency_breaks), "residency break"))
    if review.weakenings:
        concerns.append(plural(len(review.weakenings), "weakening change"))
    destructive = [c for group in resources or () for c in group.changes if c.destructive]
    if destructive:
        concerns.append(plural(len(destructive), "destructive resource change"))
    cost = review.cost
    if cost is not None and cost.over_budget:
        concerns.append(f"over budget ({usd(cost.total_after)} > {usd(cost.budget)})")
    if cost is not None and cost.functions_over_budget:
        concerns.append(plural(len(cost.functions_over_budget), "function") + " over budget")
    for load in review.concentration:
        if review.base is not None and load.trend == "up" and len(load.after) > 1:
            concerns.append(f"{load.vendor} would run {len(load.after)} critical functions")
    stale = [note for note in review.waivers if note.expiring or note.expired]
    if stale:
        concerns.append(plural(len(stale), "waiver") + " expiring or expired")

    facts = []
    if review.base is None and resources is None:
        facts.append(f"new plan with {plural(len(review.functions), 'function')}")
    elif review.changes:
        facts += _change_facts(review.changes)
    changed_resources = [c for group in resources or () for c in group.changes if c.op != "same"]
    if changed_resources:
        facts.append(plural(len(changed_resources), "resource change"))
    if cost is not None and review.base is None:
        facts.append(f"cost {usd(cost.total_after)}/month")
    elif cost is not None and cost.changed:
        facts.append(f"cost {signed_usd(cost.delta)}/month")

    if blocking:
        status = "blocked"
    elif concerns:
        status = "attention"
    elif review.changed or changed_resources or (review.base is None and resources is None):
        status = "ok"
    else:
        status = "unchanged"
    return Verdict(status, tuple(concerns), tuple(facts))


def _change_facts(changes: Sequence[Change]) -> list[str]:
    """E.g. ["1 function moved", "2 other outsourcing changes"]."""
    access = [c for c in changes if c.area == "access"]
    changes = [c for c in changes if c.area != "access"]
    added = [c for c in changes if c.field == "function" and c.before is None]
    removed = [c for c in changes if c.field == "function" and c.after is None]
    moved = [c for c in changes if c.field == "provider"]
    facts = [plural(len(group), "function") + f" {verb}"
             for group, verb in ((added, "added"), (removed, "removed"), (moved, "moved")) if group]
    others = len(changes) - len(added) - len(removed) - len(moved)
    if others:
        facts.append(plural(others, "other outsourcing change") if facts else plural(others, "outsourcing change"))
    if access:
        facts.append(plural(len(access), "vendor access change"))
    return facts
