"""The semantic diff of two plans: what moves where, and what gets weaker.

Resource-level detail is the preview's business; this compares the plan in its
own terms: functions, providers, residency, service levels and settings.
"""

from __future__ import annotations

from typing import Any, Iterator

from provision.cli.review.levels import SERVICE_LEVEL_FIELDS, section_settings, weakening
from provision.cli.review.model import AREAS, Change, Flag
from provision.cli.review.residency import outside
from provision.policies.residency import BACKUP_COPIES, HOME, RegionUse, regions_used
from provision.schemas.model import Function, Plan, Provider

ARROW = "→"
_PROVIDER_FIELDS = {
    "type": "type",
    "country": "country",
    "support": "support",
    "exitPlan": "exit_plan",
    "contractEnds": "contract_ends",
    "accountId": "account_id",
    "externalIdRef": "external_id_ref",
    "contacts": "contacts",
}


def diff_plans(base: Plan, head: Plan, residencies=None) -> list[Change]:
    """Every semantic change from `base` to `head`, grouped by area (AREAS order).

    `residencies` is the residency table of the config applied (default: the built-in one).
    """
    changes = [
        *_plan_changes(base, head),
        *_provider_changes(base, head),
        *_function_changes(base, head),
        *_residency_breaks(base, head, residencies),
        *_global_region_changes(base, head),
    ]
    return sorted(changes, key=lambda change: AREAS.index(change.area))


def show(value: Any) -> str:
    """A plan value as a reviewer reads it."""
    if value is None:
        return "(unset)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(show(item) for item in value) + "]"
    return str(value)


def plain(value: Any) -> Any:
    """A plan value as JSON data (tuples as lists, dates as ISO strings)."""
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _change(area: str, function: str | None, field: str, before: Any, after: Any, subject: str,
            rule: str | None = None) -> Change:
    """A change of one value; flagged as weakening when `rule` (default: `field`) says so."""
    why = weakening(rule or field, plain(before), plain(after))
    if isinstance(before, (list, tuple)) or isinstance(after, (list, tuple)):
        detail = _list_delta(before or (), after or ())
    else:
        detail = f"{show(before)} {ARROW} {show(after)}"
    message = f"{subject}: {detail}" + (f" (weaker: {why})" if why else "")
    return Change(area, function, field, plain(before), plain(after), message, Flag.WEAKENING if why else None)


def _list_delta(before: Any, after: Any) -> str:
    removed = [item for item in before if item not in after]
    added = [item for item in after if item not in before]
    parts = []
    if removed:
        parts.append("removed " + ", ".join(show(item) for item in removed))
    if added:
        parts.append("added " + ", ".join(show(item) for item in added))
    return "; ".join(parts) or f"reordered to {show(after)}"


def _plan_changes(base: Plan, head: Plan) -> Iterator[Change]:
    if base.environment != head.environment:
        yield _change("plan", None, "spec.environment", base.environment, head.environment, "environment")
    if base.region != head.region:
        yield _change("data", None, "spec.region", base.region, head.region, "region")
    if base.data_residency != head.data_residency:
        yield Change(
            "data", None, "spec.dataResidency", base.data_residency, head.data_residency,
            f"dataResidency: {base.data_residency} {ARROW} {head.data_residency}"
            " (data may move to another jurisdiction)",
            Flag.RESIDENCY,
        )
    if set(base.compliance) != set(head.compliance):
        yield _change("plan", None, "spec.compliance", list(base.compliance), list(head.compliance), "compliance")


def _provider_changes(base: Plan, head: Plan) -> Iterator[Change]:
    for name, provider in head.providers.items():
        if name not in base.providers:
            yield Change("providers", None, f"providers.{name}", None, provider.type,
                         f"provider added: {_describe_provider(provider)}")
    for name, provider in base.providers.items():
        if name not in head.providers:
            yield Change("providers", None, f"providers.{name}", provider.type, None,
                         f"provider removed: {_describe_provider(provider)}")
            continue
        new = head.providers[name]
        for key, attr in _PROVIDER_FIELDS.items():
            before, after = getattr(provider, attr), getattr(new, attr)
            if before != after:
                area = "data" if key == "country" else "providers"
                yield _change(area, None, f"providers.{name}.{key}", before, after, f"provider {name} {key}",
                              rule=f"provider.{key}")


def _describe_provider(provider: Provider) -> str:
    details = [provider.type] + ([provider.country] if provider.country else [])
    return f"{provider.name} ({', '.join(details)})"


def _function_changes(base: Plan, head: Plan) -> Iterator[Change]:
    for name, function in head.functions.items():
        if name not in base.functions:
            yield Change("functions", name, "function", None, function.type,
                         f"function added: {name} ({_describe_function(function)})")
    for name, function in base.functions.items():
        if name not in head.functions:
            yield Change("functions", name, "function", function.type, None,
                         f"function removed: {name} ({_describe_function(function)})")
        else:
            yield from _one_function(function, head.functions[name])


def _describe_function(function: Function) -> str:
    return f"{function.type} on {function.provider}, {function.tier}, {function.data} data"


def _one_function(old: Function, new: Function) -> Iterator[Change]:
    name = new.name
    if old.type != new.type:
        yield Change("functions", name, "type", old.type, new.type,
                     f"{name}: type {old.type} {ARROW} {new.type} (a different function under the same name)")
        return
    if old.provider != new.provider:
        yield Change("providers", name, "provider", old.provider, new.provider,
                     f"{name}: {old.provider} {ARROW} {new.provider}")
    if old.data != new.data:
        yield _change("data", name, "data", old.data, new.data, f"{name}: data")
    if old.tier != new.tier:
        yield _change("service-levels", name, "tier", old.tier, new.tier, f"{name}: tier")
    for key, attr in (("availability", "availability"), ("errorRatePercent", "error_rate_percent"),
                      ("responseMinutes", "response_minutes")):
        before, after = getattr(old.sla, attr), getattr(new.sla, attr)
        if before != after:
            yield _change("service-levels", name, f"sla.{key}", before, after, f"{name}: sla.{key}")
    before_settings = section_settings(old.section, old.settings)
    after_settings = section_settings(new.section, new.settings)
    for key in dict.fromkeys([*before_settings, *after_settings]):
        before, after = before_settings.get(key), after_settings.get(key)
        if before != after:
            area = "service-levels" if key in SERVICE_LEVEL_FIELDS else "settings"
            yield _change(area, name, key, before, after, f"{name}: {key}")


def _residency_breaks(base: Plan, head: Plan, residencies=None) -> Iterator[Change]:
    """Places a function's data goes that are outside the residency and were not before."""
    for name, function in head.functions.items():
        old = base.functions.get(name)
        already = outside(base, old, residencies) if old is not None else set()
        for location in sorted(outside(head, function, residencies) - already):
            yield Change(
                "data", name, "residency", None, location.value,
                f"{name}: {function.data} data leaves {head.data_residency} residency: {location.describe()}",
                Flag.RESIDENCY,
            )


def _global_region_changes(base: Plan, head: Plan) -> Iterator[Change]:
    """Regions the plan starts or stops using for a global service (CloudFront alarms, Budgets).

    The home and backup copy regions are plan settings, reported as such above.
    """
    def uses(plan: Plan) -> dict[tuple[str, str], RegionUse]:
        found: dict[tuple[str, str], RegionUse] = {}
        for use in regions_used(plan):
            if use.kind not in (HOME, BACKUP_COPIES):
                found.setdefault((use.region, use.kind), use)
        return found

    before, after = uses(base), uses(head)
    for region, kind in sorted(after.keys() - before.keys()):
        use = after[region, kind]
        yield Change("data", use.function, "regions", None, region, f"now uses region {region}: {use.describe()}")
    for region, kind in sorted(before.keys() - after.keys()):
        use = before[region, kind]
        yield Change("data", use.function, "regions", region, None, f"no longer uses region {region}: {use.describe()}")

