"""Text views of a plan's stack shared by plan, apply, destroy, drift and status.

The resources a preview would change, grouped by function; the stack outputs.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

MARK = {"create": "+", "update": "~", "replace": "+-", "delete": "-", "same": " ", "read": ">"}
PLAN_LEVEL = "(plan-level: vendor access, budgets)"


def function_heading(plan, name: str | None) -> str:
    if name is None:
        return PLAN_LEVEL
    function = plan.functions.get(name)
    return f"{name} ({function.type})" if function is not None else name


def change_line(change) -> str:
    line = f"  {MARK.get(change.op, '?'):>2} {change.op:<8} {change.label}"
    if change.op == "replace" and change.replace_keys:
        line += f"  (replaced because {', '.join(change.replace_keys)} changed)"
    elif change.op == "update" and change.changed_keys:
        line += f"  ({', '.join(change.changed_keys)})"
    return line


def summary_line(counts: dict[str, int]) -> str:
    return (
        f"Plan: {counts['create']} to create, {counts['update']} to update, "
        f"{counts['replace']} to replace, {counts['delete']} to delete, {counts['same']} unchanged."
    )


def region_lines(plan) -> list[str]:
    """Every region the plan puts resources in, and why (data, or metadata only)."""
    from provision.policies.residency import regions_used

    return ["Regions:", *(f"  {use.region}: {use.describe()}" for use in regions_used(plan))]


def render_changes(plan, changes, target_name: str, *, totals: bool = True) -> str:
    """The human preview: the regions used, changed resources by function (changes first), then the totals.

    Without `totals` for what an update did: its caller says what was created, updated and deleted.
    """
    lines = [f"Plan {plan.name} ({plan.environment}) on target {target_name}:", "", *region_lines(plan), ""]
    if not changes.has_changes:
        kept = changes.counts()["same"]
        lines.append(f"No changes: the target already matches the plan ({kept} resources).")
        return "\n".join(lines) + "\n"
    for function, group in changes.by_function().items():
        changed = [c for c in group if c.op not in ("same", "read")]
        if not changed:
            continue
        lines.append(function_heading(plan, function))
        lines.extend(change_line(c) for c in changed)
    if totals:
        lines += ["", summary_line(changes.counts())]
    return "\n".join(lines) + "\n"


def render_outputs(outputs: Mapping[str, Any]) -> str:
    """Stack outputs, one block per function."""
    if not outputs:
        return "Outputs: none\n"
    lines = ["Outputs:"]
    for name in sorted(outputs):
        value = outputs[name]
        if isinstance(value, Mapping) and value:
            lines.append(f"  {name}:")
            lines.extend(f"    {key}: {_scalar(v)}" for key, v in sorted(value.items()))
        else:
            lines.append(f"  {name}: {_scalar(value)}")
    return "\n".join(lines) + "\n"


def _scalar(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)
