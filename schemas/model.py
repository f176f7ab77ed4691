"""The typed outsourcing plan.

Built from a document that has already passed the JSON Schema, so constructors
trust shapes and only fill defaults. Every object keeps the JSON path it came
from, so policies and stacks can point findings back at file:line:column.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping

from provision.schemas import function_types
from provision.schemas.builtin_types import BUILTIN_TYPES

Path = tuple[str | int, ...]

# The built-in types and their sections; function_types also knows registered ones.
FUNCTION_TYPES = tuple(t.name for t in BUILTIN_TYPES)
SECTION_OF_TYPE = {t.name: t.section for t in BUILTIN_TYPES}
TIERS = ("critical", "important", "standard")
DATA_CLASSES = ("public", "internal", "confidential", "pii", "regulated")
# Data classes whose outsourcing triggers the stricter policies.
SENSITIVE_DATA = frozenset({"pii", "regulated"})


@dataclass(frozen=True)
class Provider:
    name: str
    type: str  # cloud | msp | bpo
    path: Path
    account_id: str | None = None
    external_id_ref: str | None = None
    country: str | None = None
    support: str | None = None  # 24x7 | business-hours
    exit_plan: str | None = None
    contract_ends: dt.date | None = None
    contacts: tuple[str, ...] = ()

    @property
    def external(self) -> bool:
        """True for vendors outside the organisation's own cloud account."""
        return self.type != "cloud"


@dataclass(frozen=True)
class SLA:
    availability: float | None = None  # percent, e.g. 99.9
    error_rate_percent: float | None = None
    response_minutes: int | None = None


@dataclass(frozen=True)
class Budget:
    monthly_usd: float
    alert_thresholds: tuple[int, ...] = (80, 100)


@dataclass(frozen=True)
class Function:
    name: str
    type: str
    provider: str
    tier: str
    data: str
    path: Path
    sla: SLA = field(default_factory=SLA)
    budget: Budget | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)

    @property
    def section(self) -> str:
        return function_types.section_of(self.type)

    @property
    def settings_path(self) -> Path:
        return self.path + (self.section,)


@dataclass(frozen=True)
class Waiver:
    policy: str
    function: str | None
    reason: str
    expires: dt.date
    approved_by: str
    path: Path


@dataclass(frozen=True)
class Plan:
    name: str
    owner: str
    labels: Mapping[str, str]
    environment: str
    region: str
    data_residency: str
    compliance: tuple[str, ...]
    providers: Mapping[str, Provider]
    functions: Mapping[str, Function]
    budget: Budget | None
    waivers: tuple[Waiver, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    def functions_of_type(self, type_: str) -> list[Function]:
        return [f for f in self.functions.values() if f.type == type_]

    def provider_of(self, function: Function) -> Provider:
        return self.providers[function.provider]


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _budget(doc: Mapping[str, Any] | None) -> Budget | None:
    if not doc:
        return None
    return Budget(
        monthly_usd=float(doc["monthlyUSD"]),
        alert_thresholds=tuple(doc.get("alertThresholds", (80, 100))),
    )


def build_plan(doc: Mapping[str, Any]) -> Plan:
    """Turn a schema-valid document into a Plan."""
    meta, spec = doc["metadata"], doc["spec"]
    providers = {
        name: Provider(
            name=name,
            type=p["type"],
            path=("spec", "providers", name),
            account_id=p.get("accountId"),
            external_id_ref=p.get("externalIdRef"),
            country=p.get("country"),
            support=p.get("support"),
            exit_plan=p.get("exitPlan"),
            contract_ends=_date(p.get("contractEnds")),
            contacts=tuple(p.get("contacts", ())),
        )
        for name, p in spec["providers"].items()
    }
    functions = {}
    for name, f in spec["functions"].items():
        sla = f.get("sla", {})
        functions[name] = Function(
            name=name,
            type=f["type"],
            provider=f["provider"],
            tier=f.get("tier", "standard"),
            data=f.get("data", "internal"),
            path=("spec", "functions", name),
            sla=SLA(
                availability=sla.get("availability"),
                error_rate_percent=sla.get("errorRatePercent"),
                response_minutes=sla.get("responseMinutes"),
            ),
            budget=_budget(f.get("budget")),
            settings=f.get(function_types.section_of(f["type"]), {}),
        )
    waivers = tuple(
        Waiver(
            policy=w["policy"],
            function=w.get("function"),
            reason=w["reason"],
            expires=_date(w["expires"]),
            approved_by=w["approvedBy"],
            path=("spec", "waivers", i),
        )
        for i, w in enumerate(spec.get("waivers", ()))
    )
    return Plan(
        name=meta["name"],
        owner=meta["owner"],
        labels=dict(meta.get("labels", {})),
        environment=spec["environment"],
        region=spec["region"],
        data_residency=spec["dataResidency"],
        compliance=tuple(spec.get("compliance", ())),
        providers=providers,
        functions=functions,
        budget=_budget(spec.get("budget")),
        waivers=waivers,
        raw=doc,
    )
