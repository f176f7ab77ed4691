"""The access report as a plain document (`provision access --format json`,
docs/access.schema.json); the text and markdown views render from it."""

from __future__ import annotations

from typing import Any, Mapping

from provision.schemas.model import Plan
from provision.stacks.access.offboarding import offboarding
from provision.stacks.access.placeholders import ACCOUNT, plan_outputs
from provision.stacks.access.planned import VendorRoles, external_vendors, vendor_roles
from provision.stacks.access.report import strongest, vendor_access

API_VERSION = "provision/v1"


class UnknownVendor(Exception):
    """--vendor names no external provider that operates something."""


def vendor_document(plan: Plan, roles: VendorRoles, outputs: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    rows, notes = vendor_access(plan, roles, outputs)
    v = roles.vendor
    return {
        "name": v.name,
        "type": v.type,
        "accountId": v.account_id,
        "externalIdRef": v.external_id_ref,
        "functions": [{"name": f, "data": plan.functions[f].data, "tier": plan.functions[f].tier} for f in roles.functions],
        "strongest": strongest(rows),
        "roles": [
            {"kind": r.kind, "name": r.name, "arn": r.arn, "trust": r.trust, "maxSessionSeconds": r.max_session_seconds,
             "boundary": r.boundary is not None, "policies": sorted(r.policies)}
            for r in roles.roles
        ],  # fmt: skip
        "access": [
            {"function": a.function, "data": a.data, "service": a.service, "level": a.level, "action": a.action,
             "resource": a.resource, "condition": a.condition, "role": a.role}
            for a in rows
        ],  # fmt: skip
        "offboarding": [
            {"kind": i.kind, "target": i.target, "action": i.action, "function": i.function}
            for i in offboarding(plan, roles, outputs)
        ],
        "notes": notes,
    }


def access_document(
    plan: Plan, vendor: str | None = None, *, account: str = ACCOUNT, outputs: Mapping[str, Mapping[str, Any]] | None = None,
    source: str = "planned",
) -> dict[str, Any]:
    """Every external vendor's access (or `vendor`'s), planned from the plan's builders."""
    vendors = [p.name for p in external_vendors(plan)]
    if vendor is not None and vendor not in vendors:
        known = ", ".join(vendors) or "none"
        raise UnknownVendor(f"'{vendor}' is not an external provider operating a function of {plan.name} (known: {known})")
    outputs = outputs if outputs is not None else plan_outputs(plan, account)
    chosen = [vendor] if vendor else vendors
    return {
        "apiVersion": API_VERSION,
        "kind": "VendorAccess",
        "plan": plan.name,
        "environment": plan.environment,
        "source": source,
        "account": account,
        "vendors": [vendor_document(plan, vendor_roles(plan, name, account, outputs), outputs) for name in chosen],
    }


def live_document(
    plan: Plan, iam: Any, account: str, outputs: Mapping[str, Mapping[str, Any]], vendor: str | None = None
) -> tuple[dict[str, Any], list[str]]:
    """The access read from the target's IAM, and every difference from the planned access."""
    from provision.stacks.access.live import differences, live_roles

    doc = access_document(plan, vendor, account=account, outputs=outputs, source="live")
    found: list[str] = []
    for i, entry in enumerate(doc["vendors"]):
        planned = vendor_roles(plan, entry["name"], account, outputs)
        live, missing = live_roles(planned, iam)
        doc["vendors"][i] = vendor_document(plan, live, outputs)
        found += differences(planned, live, missing)
    doc["differences"] = found
    return doc, found
