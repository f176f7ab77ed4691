"""Which direction of a change is weaker: service levels, protections and controls.

A rule says, for one field, when the HEAD value is weaker than the BASE value and
what the reviewer loses. Fields without a rule are reported as plain changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from provision.schemas import function_types
from provision.schemas.model import DATA_CLASSES, TIERS

SEVERITIES = ("low", "medium", "high", "critical")
SUPPORT_LEVELS = ("business-hours", "24x7")


@dataclass(frozen=True)
class Rule:
    weaker: Callable[[Any, Any], bool]  # (before, after) -> True when after is weaker
    why: str  # what the reviewer loses, e.g. "more data lost on restore"


def _higher(before: Any, after: Any) -> bool:
    return before is not None and (after is None or after > before)


def _lower(before: Any, after: Any) -> bool:
    return before is not None and (after is None or after < before)


def _removed(before: Any, after: Any) -> bool:
    return bool(before) and not after


def _items_removed(before: Any, after: Any) -> bool:
    return bool(set(before or ()) - set(after or ()))


def _ranked_lower(order: tuple[str, ...]) -> Callable[[Any, Any], bool]:
    """Weaker when the value moves towards the start of `order`."""

    def weaker(before: Any, after: Any) -> bool:
        if before not in order:
            return False
        return after not in order or order.index(after) < order.index(before)

    return weaker


def _ranked_higher(order: tuple[str, ...]) -> Callable[[Any, Any], bool]:
    """Weaker when the value moves towards the end of `order`."""

    def weaker(before: Any, after: Any) -> bool:
        return before in order and after in order and order.index(after) > order.index(before)

    return weaker


# Keys are "<section>.<dotted key>" for function settings, or a function field.
RULES: dict[str, Rule] = {
    "tier": Rule(_ranked_higher(TIERS), "tier lowered"),
    "data": Rule(_ranked_lower(DATA_CLASSES), "classification lowered: fewer controls apply"),
    "sla.availability": Rule(_lower, "lower availability"),
    "sla.errorRatePercent": Rule(_higher, "more errors allowed"),
    "sla.responseMinutes": Rule(_higher, "slower response"),
    "backup.rpoHours": Rule(_higher, "more data lost on restore"),
    "backup.retentionDays": Rule(_lower, "backups kept for less time"),
    "backup.immutable": Rule(_removed, "backups can be deleted or altered"),
    "backup.copyToRegion": Rule(_removed, "no copy outside the primary region"),
    "backup.protects": Rule(_items_removed, "functions no longer backed up"),
    "securityMonitoring.services": Rule(_items_removed, "less security coverage"),
    "securityMonitoring.trailRetentionDays": Rule(_lower, "audit trail kept for less time"),
    "securityMonitoring.alerts.minSeverity": Rule(_ranked_higher(SEVERITIES), "fewer alerts raised"),
    "network.flowLogRetentionDays": Rule(_lower, "flow logs kept for less time"),
    "monitoring.watches": Rule(_items_removed, "functions no longer watched"),
    "provider.support": Rule(_ranked_lower(SUPPORT_LEVELS), "vendor support hours reduced"),
    "provider.exitPlan": Rule(_removed, "no exit plan for the vendor"),
    "spec.compliance": Rule(_items_removed, "compliance regime dropped"),
}

# Function fields with a rule: service levels and protections rather than mere settings.
SERVICE_LEVEL_FIELDS = frozenset(key for key in RULES if key.split(".")[0] not in ("provider", "spec", "data"))


def weakening(field: str, before: Any, after: Any) -> str | None:
    """What gets weaker when `field` goes from `before` to `after`, or None."""
    rule = RULES.get(field)
    if rule is None or not rule.weaker(before, after):
        return None
    return rule.why


def flatten(settings: Any, prefix: str) -> dict[str, Any]:
    """Nested mappings as {"section.key.sub": value}; lists stay values."""
    if not isinstance(settings, dict):
        return {prefix: settings}
    flat: dict[str, Any] = {}
    for key, value in settings.items():
        flat.update(flatten(value, f"{prefix}.{key}"))
    return flat


def section_settings(section: str, settings: Any) -> dict[str, Any]:
    """A function section flattened, with CONTRACTS defaults filled in."""
    merged = dict(settings or {})
    # Each type's declaration says what its section's left-out values are (CONTRACTS §1),
    # so that spelling out a default is not reported as a change.
    type_ = function_types.type_of_section(section)
    for key, value in (function_types.get(type_).setting_defaults if type_ else {}).items():
        merged.setdefault(key, value)
    return flatten(merged, section)
