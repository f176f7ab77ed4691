"""Questions several policies ask of a plan, answered once."""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Iterator

from provision.schemas import function_types
from provision.schemas.model import SENSITIVE_DATA, TIERS, Function, Path, Plan, Provider

DEFAULT_TRAIL_RETENTION_DAYS = 365


def tier_rank(tier: str) -> int:
    """0 for critical, larger for less critical tiers."""
    return TIERS.index(tier)


def is_sensitive(function: Function) -> bool:
    return function.data in SENSITIVE_DATA


def backups_protecting(plan: Plan, name: str) -> list[Function]:
    return [b for b in plan.functions_of_type("backup") if name in b.settings.get("protects", ())]


def needs_backup(plan: Plan, function: Function) -> bool:
    """A function holding data that no backup function protects."""
    return function_types.get(function.type).holds_data and not backups_protecting(plan, function.name)


def protected_functions(plan: Plan, backup: Function) -> list[Function]:
    return [plan.functions[n] for n in backup.settings.get("protects", ()) if n in plan.functions]


def security_services(plan: Plan) -> set[str]:
    """Services enabled by all security-monitoring functions together (they are account-wide)."""
    return {s for f in plan.functions_of_type("security-monitoring") for s in f.settings.get("services", ())}


def monitoring_gap(plan: Plan, required: Iterable[str]) -> tuple[Function | None, list[str]] | None:
    """None when security monitoring runs every required service; else the first
    security-monitoring function (None when there is none) and the services missing."""
    monitors = plan.functions_of_type("security-monitoring")
    missing = [s for s in required if s not in security_services(plan)]
    if not missing:
        return None
    return (monitors[0] if monitors else None), missing


def contracts(plan: Plan) -> Iterator[tuple[Provider, dt.date]]:
    """External providers with a contract end date, and that date."""
    for vendor in plan.providers.values():
        if vendor.external and vendor.contract_ends is not None:
            yield vendor, vendor.contract_ends


def trails(plan: Plan) -> list[Function]:
    """Security-monitoring functions that run a CloudTrail trail."""
    return [f for f in plan.functions_of_type("security-monitoring") if "cloudtrail" in f.settings.get("services", ())]


def trail_retention_days(function: Function) -> int:
    return int(function.settings.get("trailRetentionDays", DEFAULT_TRAIL_RETENTION_DAYS))


def short_trails(plan: Plan, min_days: int) -> Iterator[tuple[Function, int]]:
    """Trails that keep their logs fewer than min_days, with their retention."""
    for function in trails(plan):
        days = trail_retention_days(function)
        if days < min_days:
            yield function, days


def critical_functions_at(plan: Plan, provider: str) -> list[str]:
    return [f.name for f in plan.functions.values() if f.provider == provider and f.tier == "critical"]


def data_recipients(plan: Plan, function: Function) -> list[Provider]:
    """Providers that receive the function's data: its own, plus data-exchange partners."""
    names = [function.provider]
    if function.type == "data-exchange":
        names += [p for p in function.settings.get("partners", ()) if p not in names]
    return [plan.providers[n] for n in names if n in plan.providers]


def compliance_path(plan: Plan, regime: str) -> Path:
    return ("spec", "compliance", plan.compliance.index(regime))


def dotted(path: Path) -> str:
    """A JSON path for messages: spec.functions.web.sla, spec.waivers[0]."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def quoted(names: Iterable[str]) -> str:
    return ", ".join(f"'{n}'" for n in names)


def usd(amount: float) -> str:
    return f"${amount:,.2f}"


def nat_gateway_count(fn: Function) -> int:
    """How many NAT gateways a network function gets (stacks.functions.network builds them):
    with `nat: true`, one per AZ for a critical function, one shared by every AZ otherwise."""
    if not fn.settings.get("nat", False):
        return 0
    return int(fn.settings.get("azs", 2)) if fn.tier == "critical" else 1
