"""The pull-request comment: verdict, outsourcing diff, resource changes, policy, cost.

One comment per plan, found again by its hidden marker so CI updates it instead
of adding another. Plan text is escaped, so a plan cannot break a table or
inject HTML. The comment stays under GitHub's size limit: the least important
sections are cut first, and never the verdict, destructive changes or policy
failures (see fit).
"""

from __future__ import annotations

import html
from typing import Sequence

from provision import __version__
from provision.cli.formats.markdown import escape as escape_cell
from provision.cli.review import present
from provision.cli.review.fit import Block, fit
from provision.cli.review.model import FindingChange, FindingStatus, Review
from provision.cli.review.resources import FunctionResources
from provision.cli.review.verdict import Verdict, judge, signed_usd
from provision.cli.formats.base import docs_link, plural

GITHUB_COMMENT_LIMIT = 65_536
# Room under the limit for whatever CI adds around the body.
DEFAULT_MAX_CHARS = 65_000
# One per command: `diff` and `plan --format markdown` each keep their own comment, so a CI
# job posting both updates each in place instead of overwriting one with the other.
MARKER = "<!-- provision:{kind}-comment:{plan} -->"

# Cut order: higher first; 0 is never cut (see fit).
RANK_OUTSOURCING, RANK_COST, RANK_POLICY, RANK_RESOURCES = 1, 2, 3, 4
RANK_VENDORS, RANK_FINDINGS, RANK_DETAILS = 5, 6, 7

STATUS_ICONS = {FindingStatus.NEW: "🆕 new", FindingStatus.OPEN: "open", FindingStatus.FIXED: "✅ fixed"}
FLAG_ICONS = {"residency": "🌍 residency", "weaker": "⚠️ weaker"}
OP_ICONS = {
    "create": "➕ create",
    "update": "✏️ update",
    "replace": "♻️ replace",
    "delete": "🗑️ delete",
    "same": "same",
}


def escape(text: str) -> str:
    """Plan text safe in a table cell; `$` too, which GitHub would take for maths."""
    return escape_cell(text).replace("$", "\\$")


def marker(plan: str, kind: str = "plan") -> str:
    """The hidden line CI looks for to update this plan's comment of `kind` (plan or diff)."""
    return MARKER.format(kind=kind, plan=plan)


def render_markdown(
    review: Review,
    resources: Sequence[FunctionResources] | None = None,
    *,
    quiet_if_no_changes: bool = False,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> str:
    """The comment for `review` (with a preview's `resources` for `provision plan`).

    Empty when `quiet_if_no_changes` and nothing changed.
    """
    verdict = judge(review, resources)
    if quiet_if_no_changes and verdict.status == "unchanged":
        return ""
    kind = "plan" if resources is not None else "diff"
    blocks = [
        Block("verdict", _title(review, verdict, kind)),
        *_destructive(resources or ()),
        *_failures(review),
        _outsourcing(review),
        _access(review),
        _cost(review),
        _waivers(review),
        _policy(review),
        _resource_summary(resources),
        _vendors(review),
        _findings_details(review),
        _resource_details(resources),
        Block("footer", _footer(review, kind)),
    ]
    return fit([block for block in blocks if block is not None], max_chars, lambda names: _footnote(names, kind))


def _table(*columns: str) -> str:
    return "| " + " | ".join(columns) + " |\n" + "|" + " --- |" * len(columns) + "\n"


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |\n"


FINDINGS_TABLE = _table("Status", "Rule", "Where", "Message")


def _title(review: Review, verdict: Verdict, kind: str) -> str:
    sources = escape(review.head) if review.base is None else f"{escape(review.base)} → {escape(review.head)}"
    return (
        f"{marker(review.plan, kind)}\n"
        f"### {verdict.icon} provision {kind}: {escape(review.plan)}\n\n"
        f"**{escape(verdict.sentence())}**\n\n"
        f"<sub>{sources} · policy config: {escape(review.policy_config)}</sub>\n\n"
    )


def _destructive(resources: Sequence[FunctionResources]) -> list[Block]:
    found = present.destructive(resources)
    if not found:
        return []
    rows = [
        _row(f"❗ **{change.op}**", escape(group.label), escape(change.name), escape(change.type),
             escape(present.reasons(change)) or "—")
        for group, change in found
    ]
    return [Block("destructive changes", "#### ❗ Destructive resource changes\n\n", rows, "\n",
                  unit="destructive change", table=_table("Op", "Function", "Resource", "Type", "Reason"))]


def _failures(review: Review) -> list[Block]:
    if not review.failures:
        return []
    rows = [_finding_row(item) for item in review.failures]
    return [Block("policy failures", "#### ❌ Policy failures\n\n", rows, "\n", unit="policy failure",
                  table=FINDINGS_TABLE)]


def _finding_row(item: FindingChange) -> str:
    finding = item.finding
    rule = escape(finding.rule)
    link = docs_link(finding)
    if link.startswith(("https://", "http://")):  # a relative link would break in a comment
        rule = f"[{rule}](<{link.replace('>', '%3E')}>)"
    return _row(STATUS_ICONS[item.status], f"{rule} ({finding.level.value})", escape(present.where(item)),
                escape(finding.message))


def _outsourcing(review: Review) -> Block | None:
    if review.base is None:
        rows = [
            _row(f.name, f.type, f"{escape(f.provider)}{' (external)' if f.external else ''}", f.tier, f.data,
                 "—" if f.availability is None else f"{f.availability:g}%")
            for f in review.functions
        ]
        return Block("outsourcing summary", "#### Outsourcing (new plan)\n\n", rows, "\n", RANK_OUTSOURCING, "function",
                     table=_table("Function", "Type", "Provider", "Tier", "Data", "Availability"))
    changes = [c for c in review.changes if c.area != "access"]  # the Vendor access block shows those
    if not changes:
        return None
    rows = [
        _row(FLAG_ICONS[present.FLAG_LABELS[c.flag]] if c.flag else "", c.area, escape(c.message))
        for c in present.ordered_changes(changes)
    ]
    return Block("outsourcing changes", "#### Outsourcing changes\n\n", rows, "\n", RANK_OUTSOURCING,
                 "outsourcing change", table=_table("", "Area", "Change"))


def _access(review: Review) -> Block | None:
    """Vendor access: the vendors → functions → data classes map, then what each vendor gains and loses."""
    if not review.access_map and not review.access:
        return None
    from provision.cli.access_render import code_cell, mermaid_map

    head = "#### Vendor access\n\n" + "\n".join(mermaid_map(review.access_map)) + "\n\n"
    if review.base is None:
        return Block("vendor access", head, (), "", RANK_COST, "access change")
    if not review.access:
        return Block("vendor access", head + "No vendor gains or loses access.\n\n", (), "", RANK_COST, "access change")
    rows = [
        _row("⚠️ weaker" if d.weakening else "", escape(d.vendor), "➕ gains" if d.direction == "gains" else "➖ loses",
             d.level, f"{escape(d.function)} ({d.data})", escape(", ".join(d.actions)),
             "<br>".join(code_cell(r) for r in d.resources))
        for d in review.access
    ]  # fmt: skip
    return Block("vendor access", head, rows, "\n", RANK_COST, "access change",
                 table=_table("", "Vendor", "", "Level", "Function (data)", "Actions", "Resources"))


def _cost(review: Review) -> Block | None:
    cost = review.cost
    if cost is None:
        return None
    icon = "🔴" if cost.over_budget else "💰"
    head = f"#### {icon} Cost\n\nEstimate: {escape(present.cost_line(cost, review.base is not None))}.\n\n"
    rows = [
        _row(escape(name), escape(before), escape(after), escape(change), escape(budget).replace(" OVER", " 🔴 over"))
        for name, before, after, change, budget in present.cost_rows(cost, review.base is not None)
    ]
    tail = f"\n<sub>Offline estimate, price table {escape(cost.price_table)}.</sub>\n\n"
    return Block("cost by function", head, rows, tail, RANK_COST, "function",
                 table=_table("Function", "Before", "After", "Change", "Budget"))


def _waivers(review: Review) -> Block | None:
    if not review.waivers:
        return None
    rows = [
        _row(escape(n.waiver.policy), escape(n.waiver.function or "(plan)"), present.waiver_state(n),
             n.waiver.expires.isoformat(), escape(n.waiver.approved_by), escape(n.waiver.reason))
        for n in review.waivers
    ]
    return Block("waivers", "#### Waivers\n\n", rows, "\n", RANK_POLICY, "waiver",
                 table=_table("Policy", "Function", "State", "Expires", "Approved by", "Reason"))


def _policy(review: Review) -> Block:
    others = [item for item in review.findings if not item.failing]
    summary = present.findings_summary(review) if review.findings else "No policy findings"
    head = f"#### Policy results\n\n{escape(summary)}.\n\n"
    if not others:
        return Block("policy results", head, rank=RANK_POLICY)
    return Block("policy results", head, [_finding_row(item) for item in others], "\n", RANK_POLICY, "finding",
                 table=FINDINGS_TABLE)


def _resource_summary(resources: Sequence[FunctionResources] | None) -> Block | None:
    if resources is None:
        return None
    if not resources:
        head = "#### Resource changes\n\nThe preview has no resources.\n\n"
        return Block("resource summary", head, rank=RANK_RESOURCES)
    changed = [group for group in present.resource_order(resources) if group.changed]
    rows = []
    for group in changed:
        flag = "❗ " if any(change.destructive for change in group.changes) else ""
        rows.append(_row(flag + escape(group.label), *(_count(n) for n in present.op_counts(group))))
    unchanged = [group for group in resources if not group.changed]
    if unchanged:
        kept = sum(len(group.changes) for group in unchanged)
        rows.append(_row(f"_{plural(len(unchanged), 'function')} unchanged_", *"····", _count(kept)))
    return Block("resource summary", "#### Resource changes\n\n", rows, "\n", RANK_RESOURCES, "function",
                 table=_table("Function", "Create", "Update", "Replace", "Delete", "Unchanged"))


def _count(n: int) -> str:
    return str(n) if n else "·"


def _vendors(review: Review) -> Block | None:
    loads = present.concentration_rows(review.concentration)
    if not loads:
        return None
    rows = [
        _row(escape(load.vendor), present.vendor_cell(load.before, load.share_before),
             present.vendor_cell(load.after, load.share_after), present.TREND[load.trend])
        if review.base
        else _row(escape(load.vendor), present.vendor_cell(load.after, load.share_after))
        for load in loads
    ]
    table = _table("Vendor", "Before", "After", "") if review.base else _table("Vendor", "Critical functions")
    return Block("vendor concentration", "#### Vendor concentration\n\nCritical functions per external vendor.\n\n",
                 rows, "\n", RANK_VENDORS, "vendor", table=table)


def _details(summary: str) -> str:
    return f"<details><summary>{html.escape(summary)}</summary>\n\n"


def _findings_details(review: Review) -> Block | None:
    if not review.findings:
        return None
    rows = []
    for item in review.findings:
        finding = item.finding
        rows.append(
            f"- {STATUS_ICONS[item.status]} **{escape(finding.rule)}** ({finding.level.value}), "
            f"{escape(present.where(item))}: {escape(finding.message)}"
            + (f"<br>Fix: {escape(finding.fix)}" if finding.fix else "")
            + "\n"
        )
    head = _details(f"Policy findings in full ({len(rows)})")
    return Block("policy findings in full", head, rows, "\n</details>\n\n", RANK_FINDINGS, "finding")


def _resource_details(resources: Sequence[FunctionResources] | None) -> Block | None:
    rows = [
        _row(escape(group.label), escape(change.name), escape(change.type), OP_ICONS[change.op],
             escape(present.reasons(change)) or "—")
        for group in present.resource_order(resources or ())
        for change in group.changes
        if change.op != "same"
    ]
    if not rows:
        return None
    return Block("resource details", _details(f"All resource changes ({len(rows)})"), rows, "\n</details>\n\n",
                 RANK_DETAILS, "resource change",
                 table=_table("Function", "Resource", "Type", "Op", "Replaced because / changed"))


def _footer(review: Review, kind: str) -> str:
    return f"<sub>provision {__version__} · `provision {kind}` · reviewed {review.today.isoformat()}</sub>\n"


def _footnote(names: list[str], kind: str) -> str:
    if not names:
        return ""
    return (
        f"\n> ✂️ Not shown, to stay under GitHub's comment size limit: {', '.join(names)}. "
        f"Run `provision {kind}` with `--format text` for the full report.\n"
    )
