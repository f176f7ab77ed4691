"""Drift: what changed in AWS behind the plan's back, resource by resource.

A preview-only refresh reads every resource back through its provider's
`read` and compares it with the state, writing nothing (the engine's
`refresh --preview-only`; `preview --refresh` would also write nothing but
mixes drift with plan changes). A resource whose `read` finds nothing is
*deleted*; one whose read-back properties differ from what the state records
is *changed*, with each property's recorded and live value.

Set-like properties (the provider's SET_LIKE) compare as sets. A secret
setting reaches us only as "[secret]" on both sides, so it is judged by its
plain masked copy (`<setting>_masked`, see stacks.providers.base): drift sees
a statement added to a trust policy, or its ExternalId condition removed,
and says so with the secret itself masked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import json

from provision.stacks.engine.events import DELETE, UPDATE, ChangeSet, Labelled
from provision.stacks.providers.base import MASKED_SUFFIX, same_value
from provision.stacks.providers.kinds import set_like
from provision.stacks.verify.inventory import SECRET_SIGNATURE, resource_kind

DELETED, CHANGED = "deleted", "changed"
MAX_SHOWN = 120  # longer values (policy documents) are reported as changed, not printed
SECRET_SHOWN = "[secret]"


@dataclass(frozen=True)
class PropertyDrift:
    name: str
    recorded: Any  # what the state holds: what provision last set
    live: Any  # what AWS holds now

    def describe(self) -> str:
        """`block_public_access: true -> false`; for maps, which keys were removed, added or
        changed; for policy documents, which statements."""
        name = self.name
        if name.endswith(MASKED_SUFFIX):
            name = f"{name.removesuffix(MASKED_SUFFIX)} (secrets masked)"
        documents = _policy(self.recorded), _policy(self.live)
        if documents[0] is not None and documents[1] is not None:
            return f"{name}: {_statement_changes(*documents)}"
        if isinstance(self.recorded, Mapping) and isinstance(self.live, Mapping):
            return f"{name}: {_map_changes(self.recorded, self.live)}"
        before, after = shown(self.recorded), shown(self.live)
        if len(before) > MAX_SHOWN or len(after) > MAX_SHOWN:
            return f"{name}: changed"
        return f"{name}: {before} -> {after}"


@dataclass(frozen=True)
class ResourceDrift(Labelled):
    urn: str
    name: str
    type: str
    function: str | None
    status: str  # deleted | changed
    properties: tuple[PropertyDrift, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "function": self.function,
            "resource": self.name,
            "kind": self.kind,
            "type": self.type,
            "urn": self.urn,
            "status": self.status,
            "properties": [{"name": p.name, "recorded": p.recorded, "live": p.live} for p in self.properties],
        }


@dataclass
class DriftReport:
    drifted: list[ResourceDrift]
    unchanged: int

    @property
    def has_drift(self) -> bool:
        return bool(self.drifted)

    def count(self, status: str) -> int:
        return sum(1 for d in self.drifted if d.status == status)

    def by_function(self) -> dict[str | None, list[ResourceDrift]]:
        """Drifted resources per function (None = plan-level), functions by name, plan-level last."""
        groups: dict[str | None, list[ResourceDrift]] = {}
        for item in sorted(self.drifted, key=lambda d: (d.function is None, d.function or "", d.name)):
            groups.setdefault(item.function, []).append(item)
        return groups


@dataclass
class DriftCollector(ChangeSet):
    """A ChangeSet that also keeps each refreshed resource's recorded and live outputs."""

    outputs: dict[str, tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict, repr=False)

    def __call__(self, event: Any) -> None:
        outputs_event = event.res_outputs_event
        if outputs_event is not None:
            meta = outputs_event.metadata
            if meta.old is not None and meta.new is not None:
                self.outputs[meta.urn] = (dict(meta.old.outputs or {}), dict(meta.new.outputs or {}))
        super().__call__(event)

    def report(self) -> DriftReport:
        drifted: list[ResourceDrift] = []
        unchanged = 0
        for change in self.ordered():
            if change.op == DELETE:
                drifted.append(ResourceDrift(change.urn, change.name, change.type, change.function, DELETED))
                continue
            recorded, live = self.outputs.get(change.urn, ({}, {}))
            properties = changed_properties(recorded, live, set_like(resource_kind(change.type, recorded)))
            if change.op == UPDATE and properties:
                drifted.append(
                    ResourceDrift(change.urn, change.name, change.type, change.function, CHANGED, properties)
                )
            else:
                unchanged += 1
        return DriftReport(drifted, unchanged)


def changed_properties(
    recorded: Mapping[str, Any], live: Mapping[str, Any], set_like: frozenset[str] = frozenset()
) -> tuple[PropertyDrift, ...]:
    """Properties whose live value differs from the recorded one (engine keys left out,
    `set_like` ones compared as sets). A masked copy stands in for its setting only when
    that setting is a secret; one the state does not record yet (a stack deployed before
    masked copies existed) has nothing to be compared with."""

    def stands_in(key: str) -> bool:
        return recorded.get(key) is not None and is_secret(recorded.get(key.removesuffix(MASKED_SUFFIX)))

    keys = sorted(
        k
        for k in recorded.keys() | live.keys()
        if not k.startswith("__") and (not k.endswith(MASKED_SUFFIX) or stands_in(k))
    )
    return tuple(
        PropertyDrift(k, recorded.get(k), live.get(k))
        for k in keys
        if not same_value(recorded.get(k), live.get(k), k in set_like)
    )


def is_secret(value: Any) -> bool:
    """Whether an event shows `value` as a secret: "[secret]", or Pulumi's secret envelope."""
    return value == SECRET_SHOWN or (isinstance(value, Mapping) and SECRET_SIGNATURE in value)


def detect(ops: Any) -> DriftReport | None:
    """The drift of `ops`'s stack (a StackOps); None when the stack does not exist."""
    collector = DriftCollector()
    if ops.preview_refresh(collector) is None:
        return None
    return collector.report()


def shown(value: Any) -> str:
    """A value as a plan would write it: true, 90, "text", [a, b]."""
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    return str(value)


def _policy(value: Any) -> dict[str, Any] | None:
    """`value` as a parsed policy document (JSON with a Statement list); None when it is not one."""
    if not isinstance(value, str) or not value.lstrip().startswith("{"):
        return None
    try:
        parsed = json.loads(value)
    except ValueError:
        return None
    statements = parsed.get("Statement") if isinstance(parsed, dict) else None
    return parsed if isinstance(statements, list) else None


def _statement_changes(recorded: Mapping[str, Any], live: Mapping[str, Any]) -> str:
    """Statements removed, added or changed (matched by Sid, else by position among the changed)."""
    old = [s for s in recorded["Statement"] if s not in live["Statement"]]
    new = [s for s in live["Statement"] if s not in recorded["Statement"]]
    parts = []
    for before in list(old):
        after = next((s for s in new if before.get("Sid") and s.get("Sid") == before.get("Sid")), None)
        if after is None and not before.get("Sid") and new and not new[0].get("Sid"):
            after = new[0]
        if after is not None:
            old.remove(before)
            new.remove(after)
            parts.append(f"statement {_label(before)} {_map_changes(before, after, verbose=True)}")
    parts += [f"removed statement {_compact(s)}" for s in old]
    parts += [f"added statement {_compact(s)}" for s in new]
    other = _map_changes(
        {k: v for k, v in recorded.items() if k != "Statement"}, {k: v for k, v in live.items() if k != "Statement"}
    )
    return "; ".join(parts + ([other] if other else [])) or "changed"


def _label(statement: Mapping[str, Any]) -> str:
    return statement.get("Sid") or _compact({k: statement[k] for k in ("Effect", "Action") if k in statement})


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _map_changes(recorded: Mapping[str, Any], live: Mapping[str, Any], verbose: bool = False) -> str:
    removed = sorted(k for k in recorded if k not in live)
    added = sorted(k for k in live if k not in recorded)
    changed = sorted(k for k in recorded if k in live and recorded[k] != live[k])
    parts = []
    if removed:
        parts.append("removed " + ", ".join(f"{k} {_compact(recorded[k])}" if verbose else k for k in removed))
    if added:
        parts.append("added " + ", ".join(f"{k} {_compact(live[k])}" if verbose else k for k in added))
    if changed:
        show = _compact if verbose else shown
        parts.append("changed " + ", ".join(f"{k} ({show(recorded[k])} -> {show(live[k])})" for k in changed))
    return "; ".join(parts)
