"""The review as plain text, for a terminal or a CI log (`provision diff`'s default)."""

from __future__ import annotations

from typing import Sequence

from provision.cli.formats.base import plural
from provision.cli.review import present
from provision.cli.review.model import Review
from provision.cli.review.resources import OPS, FunctionResources
from provision.cli.review.verdict import judge


def render_text(review: Review, resources: Sequence[FunctionResources] | None = None, *,
                quiet_if_no_changes: bool = False) -> str:
    """The whole review, nothing cut; empty when `quiet_if_no_changes` and nothing changed."""
    verdict = judge(review, resources)
    if quiet_if_no_changes and verdict.status == "unchanged":
        return ""
    kind = "plan" if resources is not None else "diff"
    lines = [f"provision {kind}: {review.plan}", review.head if review.base is None else f"{review.base} → {review.head}",
             "", verdict.sentence().replace(verdict.label, verdict.label.upper(), 1)]
    lines += _section("Destructive resource changes", [
        f"{change.op:8} {group.label}: {change.name} ({change.type})"
        + (f": {present.reasons(change)}" if change.reasons else "")
        for group, change in present.destructive(resources or ())
    ])
    lines += _outsourcing(review)
    if resources is not None:
        lines += _resources(resources)
    lines += _findings(review)
    lines += _section("Waivers", [
        f"{n.waiver.policy} for {n.waiver.function or 'the plan'}: {present.waiver_state(n) or 'unchanged'} "
        f"(expires {n.waiver.expires.isoformat()}, approved by {n.waiver.approved_by}): {n.waiver.reason}"
        for n in review.waivers
    ])
    lines += _cost(review)
    lines += _section("Vendor concentration (critical functions per external vendor)", [
        f"{load.vendor}: " + (
            f"{present.vendor_cell(load.before, load.share_before)} → " if review.base else ""
        ) + present.vendor_cell(load.after, load.share_after) + (f"  {present.TREND[load.trend]}" if review.base and load.trend != "same" else "")
        for load in present.concentration_rows(review.concentration)
    ])
    return "\n".join(lines).rstrip("\n") + "\n"


def _section(title: str, items: list[str]) -> list[str]:
    if not items:
        return []
    return ["", title] + [f"  {item}" for item in items]


def _outsourcing(review: Review) -> list[str]:
    if review.base is None:
        return _section("Outsourcing (new plan)", [
            f"{f.name}: {f.type} on {f.provider}{' (external)' if f.external else ''}, {f.tier}, {f.data} data"
            + (f", {f.availability:g}% availability" if f.availability is not None else "")
            for f in review.functions
        ])
    return _section("Outsourcing changes", [
        f"{('[' + present.FLAG_LABELS[c.flag] + ']') if c.flag else '':12}{c.message}"
        for c in present.ordered_changes(review.changes)
    ] or ["(none)"])


def _resources(resources: Sequence[FunctionResources]) -> list[str]:
    items = []
    for group in present.resource_order(resources):
        if not group.changed:
            continue
        counts = ", ".join(f"{n} {op if op != 'same' else 'unchanged'}" for op, n in zip(OPS, present.op_counts(group)) if n)
        items.append(f"{group.label}: {counts}")
        items += [
            f"  {change.op:8} {change.name} ({change.type})" + (f": {present.reasons(change)}" if change.reasons else "")
            for change in group.changes
            if change.op != "same"
        ]
    unchanged = [group for group in resources if not group.changed]
    if unchanged:
        kept = sum(len(group.changes) for group in unchanged)
        items.append(f"{plural(len(unchanged), 'function')} unchanged ({plural(kept, 'resource')})")
    return _section("Resource changes", items or ["(no resources)"])


def _findings(review: Review) -> list[str]:
    items = []
    for item in review.findings:
        finding = item.finding
        items.append(f"{item.status.value:6} {finding.rule} ({finding.level.value}) {present.where(item)}: {finding.message}")
        if finding.fix and item.status.value != "fixed":
            items.append(f"       fix: {finding.fix}")
    title = "Policy findings: " + (present.findings_summary(review) if review.findings else "none")
    return ["", title] + [f"  {item}" for item in items]


def _cost(review: Review) -> list[str]:
    cost = review.cost
    if cost is None:
        return []
    rows = present.cost_rows(cost, review.base is not None)
    width = max(len(row[0]) for row in rows) if rows else 0
    items = [
        f"{name:{width}}  {before if review.base else '':>12}{' → ' if review.base else ''}{after:>12}  {change:>11}"
        + (f"  budget {budget}" if budget != "—" else "")
        for name, before, after, change, budget in rows
    ]
    title = f"Cost (price table {cost.price_table}): {present.cost_line(cost, review.base is not None)}"
    return ["", title] + [f"  {item.rstrip()}" for item in items]
