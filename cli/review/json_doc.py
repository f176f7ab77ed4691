"""The review for machines: a stable, versioned JSON document.

The schema is docs/review.schema.json, explained in docs/review-json.md. Within
a version, keys are never renamed or removed; new keys may be added.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from provision import __version__
from provision.cli.formats.base import TOOL_NAME
from provision.cli.formats.json import _finding as finding_document
from provision.cli.review.model import CostReview, FindingChange, FindingStatus, Review
from provision.cli.review.resources import FunctionResources
from provision.cli.review.verdict import judge

SCHEMA_VERSION = 1


def render_json(review: Review, resources: Sequence[FunctionResources] | None = None, *,
                quiet_if_no_changes: bool = False) -> str:
    """The document as indented JSON; empty when `quiet_if_no_changes` and nothing changed."""
    doc = document(review, resources)
    if quiet_if_no_changes and doc["verdict"]["status"] == "unchanged":
        return ""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def document(review: Review, resources: Sequence[FunctionResources] | None = None) -> dict[str, Any]:
    """The review (and the preview's resource changes, for `provision plan`) as plain data."""
    verdict = judge(review, resources)
    return {
        "version": SCHEMA_VERSION,
        "kind": "plan" if resources is not None else "diff",
        "tool": {"name": TOOL_NAME, "version": __version__},
        "plan": review.plan,
        "base": review.base,
        "head": review.head,
        "policyConfig": review.policy_config,
        "reviewedOn": review.today.isoformat(),
        "verdict": {
            "status": verdict.status,
            "summary": verdict.sentence(),
            "concerns": list(verdict.concerns),
        },
        "summary": {
            "changes": len(review.changes),
            "weakenings": len(review.weakenings),
            "residencyBreaks": len(review.residency_breaks),
            "destructive": sum(1 for group in resources or () for change in group.changes if change.destructive),
            "newFindings": len(review.findings_with(FindingStatus.NEW)),
            "fixedFindings": len(review.findings_with(FindingStatus.FIXED)),
            "failures": len(review.failures),
        },
        "changes": [
            {
                "area": c.area,
                "function": c.function,
                "field": c.field,
                "before": c.before,
                "after": c.after,
                "message": c.message,
                "flag": c.flag.value if c.flag else None,
            }
            for c in review.changes
        ],
        "functions": [
            {
                "name": f.name,
                "type": f.type,
                "provider": f.provider,
                "external": f.external,
                "tier": f.tier,
                "data": f.data,
                "availability": f.availability,
            }
            for f in review.functions
        ],
        "concentration": [
            {
                "vendor": load.vendor,
                "before": list(load.before),
                "after": list(load.after),
                "shareBefore": _share(load.share_before),
                "shareAfter": _share(load.share_after),
                "trend": load.trend,
            }
            for load in review.concentration
        ],
        "findings": [_finding(item) for item in review.findings],
        "waivers": [
            {
                "policy": note.waiver.policy,
                "function": note.waiver.function,
                "reason": note.waiver.reason,
                "expires": note.waiver.expires.isoformat(),
                "approvedBy": note.waiver.approved_by,
                "change": note.change,
                "daysLeft": note.days_left,
                "expiring": note.expiring,
                "expired": note.expired,
            }
            for note in review.waivers
        ],
        "cost": _cost(review.cost),
        "vendorAccess": [
            {"vendor": d.vendor, "direction": d.direction, "function": d.function, "data": d.data, "level": d.level,
             "actions": list(d.actions), "resources": list(d.resources), "weakening": d.weakening}
            for d in review.access
        ],  # fmt: skip
        "resources": None if resources is None else [
            {
                "function": group.function,
                "changes": [
                    {
                        "name": c.name,
                        "type": c.type,
                        "op": c.op,
                        "reasons": list(c.reasons),
                        "destructive": c.destructive,
                    }
                    for c in group.changes
                ],
            }
            for group in resources
        ],
    }


def _share(share: float | None) -> float | None:
    return None if share is None else round(share, 4)


def _finding(item: FindingChange) -> dict[str, Any]:
    # The same keys as `provision validate --format json`, plus which side and what became of it.
    return {"status": item.status.value, **finding_document(item.finding),
            "side": "base" if item.status is FindingStatus.FIXED else "head"}


def _cost(cost: CostReview | None) -> dict[str, Any] | None:
    if cost is None:
        return None
    return {
        "currency": "USD",
        "priceTable": cost.price_table,
        "totalBefore": cost.total_before,
        "totalAfter": cost.total_after,
        "delta": round(cost.delta, 2),
        "budget": cost.budget,
        "budgetBefore": cost.budget_before,
        "overBudget": cost.over_budget,
        "planLevelBefore": cost.plan_level_before,
        "planLevelAfter": cost.plan_level_after,
        "functions": [
            {
                "function": c.function,
                "before": c.before,
                "after": c.after,
                "delta": round(c.delta, 2),
                "budget": c.budget,
                "overBudget": c.over_budget,
            }
            for c in cost.functions
        ],
    }
