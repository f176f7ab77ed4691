"""The review as plain text, for a terminal or a CI log (`provision diff`'s default)."""

from __future__ import annotations

from typing import Sequence

from provision.cli.formats.base import plural
from provision.cli.formats.plain import visible
from provision.cli.review import present
from provision.cli.review.model import FindingStatus, Review, VendorLoad
from provision.cli.review.resources import OPS, FunctionResources, ResourceChange
from provision.cli.review.verdict import judge


def render_text(
    review: Review, resources: Sequence[FunctionResources] | None = None, *, quiet_if_no_changes: bool = False
) -> str:
    """The whole review, nothing cut; empty when `quiet_if_no_changes` and nothing changed."""
    verdict = judge(review, resources)
    if quiet_if_no_changes and verdict.status == "unchanged":
        return ""
    kind = "plan" if resources is not None else "diff"
    sources = review.head if review.base is None else f"{review.base} → {review.head}"
    headline = verdict.sentence().replace(verdict.label, verdict.label.upper(), 1)
    lines = [f"provision {kind}: {review.plan}", sources, f"Policy config: {review.policy_config}", "", headline]
    lines += _section("Destructive resource changes", [
        f"{change.op:8} {group.label}: {_resource(change)}" for group, change in present.destructive(resources or ())
    ])
    lines += _outsourcing(review)
    lines += _section("Vendor access", [
        f"{'WEAKER ' if d.weakening else ''}{d.vendor} {d.direction} {d.level} on {d.function} ({d.data}): "
        f"{', '.join(d.actions)} on {', '.join(d.resources)}"
        for d in review.access
    ])
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
        _vendor(load, review.base is not None) for load in present.concentration_rows(review.concentration)
    ])
    return "\n".join(map(visible, lines)).rstrip("\n") + "\n"  # one escaping layer: plain.py


def _section(title: str, items: list[str]) -> list[str]:
    if not items:
        return []
    return ["", title] + [f"  {item}" for item in items]


def _resource(change: ResourceChange) -> str:
    return f"{change.name} ({change.type})" + (f": {present.reasons(change)}" if change.reasons else "")


def _outsourcing(review: Review) -> list[str]:
    if review.base is None:
        return _section("Outsourcing (new plan)", [
            f"{f.name}: {f.type} on {f.provider}{' (external)' if f.external else ''}, {f.tier}, {f.data} data"
            + (f", {f.availability:g}% availability" if f.availability is not None else "")
            for f in review.functions
        ])
    return _section("Outsourcing changes", [
        f"{('[' + present.FLAG_LABELS[c.flag] + ']') if c.flag else '':12}{c.message}"
        for c in present.ordered_changes(review.changes) if c.area != "access"  # shown under Vendor access
    ] or ["(none)"])


def _resources(resources: Sequence[FunctionResources]) -> list[str]:
    items = []
    for group in present.resource_order(resources):
        if not group.changed:
            continue
        counts = [f"{n} {'unchanged' if op == 'same' else op}" for op, n in zip(OPS, present.op_counts(group)) if n]
        items.append(f"{group.label}: {', '.join(counts)}")
        items += [f"  {change.op:8} {_resource(change)}" for change in group.changes if change.op != "same"]
    unchanged = [group for group in resources if not group.changed]
    if unchanged:
        kept = sum(len(group.changes) for group in unchanged)
        items.append(f"{plural(len(unchanged), 'function')} unchanged ({plural(kept, 'resource')})")
    return _section("Resource changes", items or ["(no resources)"])


def _findings(review: Review) -> list[str]:
    items = []
    for item in review.findings:
        finding = item.finding
        where = present.where(item)
        items.append(f"{item.status.value:6} {finding.rule} ({finding.level.value}) {where}: {finding.message}")
        if finding.fix and item.status is not FindingStatus.FIXED:
            items.append(f"       fix: {finding.fix}")
    title = "Policy findings: " + (present.findings_summary(review) if review.findings else "none")
    return ["", title] + [f"  {item}" for item in items]


def _cost(review: Review) -> list[str]:
    cost = review.cost
    if cost is None:
        return []
    has_base = review.base is not None
    rows = present.cost_rows(cost, has_base)
    width = max((len(row[0]) for row in rows), default=0)
    items = [
        f"{name:{width}}  {before if has_base else '':>12}{' → ' if has_base else ''}{after:>12}  {change:>11}"
        + (f"  budget {budget}" if budget != "—" else "")
        for name, before, after, change, budget in rows
    ]
    title = f"Cost (price table {cost.price_table}): {present.cost_line(cost, has_base)}"
    return ["", title] + [f"  {item.rstrip()}" for item in items]


def _vendor(load: VendorLoad, has_base: bool) -> str:
    after = present.vendor_cell(load.after, load.share_after)
    if not has_base:
        return f"{load.vendor}: {after}"
    trend = f"  {present.TREND[load.trend]}" if load.trend != "same" else ""
    return f"{load.vendor}: {present.vendor_cell(load.before, load.share_before)} → {after}{trend}"
