"""Turn the engine's event stream into per-resource changes, grouped by function.

The engine reports steps, several per resource for a replacement
(create-replacement, replace, delete-replaced); `ChangeSet` folds them into
one change per resource with the keys that forced a replacement. A resource
belongs to the function whose FunctionComponent is its (grand)parent;
resources outside any function (vendor roles, budgets) belong to None.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

COMPONENT_PREFIX = "provision:function:"
GENERIC_DYNAMIC = "pulumi-python:dynamic:Resource"

CREATE, UPDATE, REPLACE, DELETE, SAME, READ = "create", "update", "replace", "delete", "same", "read"
# Display and summary order: what changes first, what stays last.
OP_ORDER = (CREATE, UPDATE, REPLACE, DELETE, READ, SAME)
# Engine step op -> the resource-level op it belongs to.
STEP_TO_OP = {
    "create": CREATE,
    "update": UPDATE,
    "delete": DELETE,
    "same": SAME,
    "replace": REPLACE,
    "create-replacement": REPLACE,
    "delete-replaced": REPLACE,
    "discard-replaced": REPLACE,
    "read": READ,
    "read-replacement": REPLACE,
    # Reading a resource back (refresh, drift, apply's refresh first) changes nothing by itself;
    # what it found shows as the outputs step's own op (update, delete) or the plan's step.
    "refresh": SAME,
    "import": CREATE,
    "import-replacement": REPLACE,
}
# When steps disagree (a replacement is several steps), the stronger op wins.
_STRENGTH = {SAME: 0, READ: 1, UPDATE: 2, DELETE: 3, CREATE: 4, REPLACE: 5}


class Labelled:
    """How a resource is named to people: its kind (from the type) and logical name."""

    name: str
    type: str

    @property
    def kind(self) -> str:
        return kind_of(self.type)

    @property
    def label(self) -> str:
        """"S3Bucket web-bucket", or just the name when the type says nothing."""
        return f"{self.kind} {self.name}" if self.kind else self.name


@dataclass(frozen=True)
class ResourceChange(Labelled):
    urn: str
    name: str
    type: str
    function: str | None
    op: str
    replace_keys: tuple[str, ...] = ()
    changed_keys: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "function": self.function,
            "resource": self.name,
            "kind": self.kind,
            "type": self.type,
            "op": self.op,
            "replaceKeys": list(self.replace_keys),
            "changedKeys": list(self.changed_keys),
            "urn": self.urn,
        }


def kind_of(resource_type: str) -> str:
    """A short resource kind from a type token; "" for a dynamic resource that declared none.

    `class S3Bucket(pulumi.dynamic.Resource, module="aws", name="S3Bucket")` has
    type pulumi-python:dynamic/aws:S3Bucket, kind S3Bucket; a bare subclass is
    pulumi-python:dynamic:Resource for every resource, which names nothing.
    """
    if resource_type == GENERIC_DYNAMIC:
        return ""
    return resource_type.rsplit(":", 1)[-1]


@dataclass(frozen=True)
class Diagnostic:
    severity: str  # info | info#err | warning | error
    message: str
    urn: str | None = None


class StepListener(Protocol):
    """What live progress rendering needs to know."""

    def started(self, change: ResourceChange) -> None: ...
    def finished(self, change: ResourceChange) -> None: ...
    def failed(self, change: ResourceChange, message: str) -> None: ...


@dataclass
class ChangeSet:
    """Per-resource changes of one operation, built from engine events."""

    changes: dict[str, ResourceChange] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # urn -> error message
    # urn -> function name, for every component and resource seen (parents come first).
    _owner: dict[str, str | None] = field(default_factory=dict, repr=False)
    listener: StepListener | None = field(default=None, repr=False)

    # -- event intake -------------------------------------------------------------------
    def __call__(self, event: Any) -> None:
        """The `on_event` callback of stack operations."""
        if event.resource_pre_event is not None:
            change = self._step(event.resource_pre_event.metadata)
            if change is not None and self.listener is not None:
                self.listener.started(change)
        elif event.res_outputs_event is not None:
            change = self._step(event.res_outputs_event.metadata)
            if change is not None and self.listener is not None:
                self.listener.finished(change)
        elif event.res_op_failed_event is not None:
            change = self._step(event.res_op_failed_event.metadata)
            if change is not None and change.urn not in self.failed:
                self._fail(change, self._error_for(change.urn) or "failed")
        elif event.diagnostic_event is not None and event.diagnostic_event.severity != "debug":
            d = event.diagnostic_event
            diag = Diagnostic(severity=d.severity, message=clean_message(d.message), urn=d.urn or None)
            self.diagnostics.append(diag)
            if diag.severity == "error" and diag.urn in self.changes and diag.urn not in self.failed:
                self._fail(self.changes[diag.urn], diag.message)

    def _fail(self, change: ResourceChange, message: str) -> None:
        # The engine reports a failure twice (diagnostic, then op-failed): tell the listener once.
        self.failed[change.urn] = message
        if self.listener is not None:
            self.listener.failed(change, message)

    def _step(self, meta: Any) -> ResourceChange | None:
        state = meta.new or meta.old
        urn = meta.urn
        parent = state.parent if state is not None else ""
        rtype = meta.type
        if rtype.startswith(COMPONENT_PREFIX):
            self._owner[urn] = urn.rsplit("::", 1)[-1]
            return None
        # A refresh reports resources in no particular order, a child before its component maybe:
        # a component parent's URN names the function itself.
        self._owner.setdefault(urn, self._owner.get(parent) or function_of(parent))
        if rtype.startswith("pulumi:") or (state is not None and state.custom is not True):
            return None  # the stack, providers, other components: not resources of the plan
        op = STEP_TO_OP.get(str(getattr(meta.op, "value", meta.op)), UPDATE)
        keys = tuple(meta.keys or ()) if op == REPLACE else ()
        diffs = tuple(meta.diffs or ()) or (_changed_inputs(meta.old, meta.new) if op in (UPDATE, REPLACE) else ())
        previous = self.changes.get(urn)
        if previous is not None:
            if _STRENGTH[previous.op] > _STRENGTH[op]:
                op = previous.op
            keys = tuple(dict.fromkeys(previous.replace_keys + keys))
            diffs = tuple(dict.fromkeys(previous.changed_keys + diffs))
        change = ResourceChange(
            urn=urn,
            name=urn.rsplit("::", 1)[-1],
            type=rtype,
            function=self._owner.get(urn),
            op=op,
            replace_keys=keys,
            changed_keys=diffs,
        )
        self.changes[urn] = change
        return change

    def _error_for(self, urn: str) -> str | None:
        for diag in reversed(self.diagnostics):
            if diag.urn == urn and diag.severity == "error":
                return diag.message
        return None

    # -- views ----------------------------------------------------------------------------
    def ordered(self) -> list[ResourceChange]:
        """Every change: by op (creates, updates, replaces, deletes, then the rest), function, name."""
        return sorted(self.changes.values(), key=_sort_key)

    def by_function(self) -> dict[str | None, list[ResourceChange]]:
        """Changes grouped by function (None = plan-level), changed functions first."""
        groups: dict[str | None, list[ResourceChange]] = {}
        for change in self.ordered():
            groups.setdefault(change.function, []).append(change)
        return dict(sorted(groups.items(), key=lambda kv: (_sort_key(kv[1][0])[0], kv[0] is None, kv[0] or "")))

    def counts(self) -> dict[str, int]:
        counter = Counter(c.op for c in self.changes.values())
        return {op: counter.get(op, 0) for op in OP_ORDER}

    @property
    def has_changes(self) -> bool:
        return any(c.op not in (SAME, READ) for c in self.changes.values())

    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    def with_op(self, *ops: str) -> list[ResourceChange]:
        return [c for c in self.ordered() if c.op in ops]


def function_of(urn: str) -> str | None:
    """The function a FunctionComponent's URN names; None for any other URN."""
    parts = urn.split("::")
    if len(parts) < 4 or not parts[2].rsplit("$", 1)[-1].startswith(COMPONENT_PREFIX):
        return None
    return parts[-1]


def _changed_inputs(old: Any, new: Any) -> tuple[str, ...]:
    # Dynamic providers report no per-key diff; compare the inputs (engine keys excluded).
    if old is None or new is None:
        return ()
    olds, news = old.inputs or {}, new.inputs or {}
    return tuple(sorted(k for k in olds.keys() | news.keys() if not k.startswith("__") and olds.get(k) != news.get(k)))


# The engine wraps provider exceptions in gRPC wording that tells users nothing.
_NOISE_PREFIXES = ("Exception calling application: ",)


def clean_message(message: str) -> str:
    text = message.strip()
    for prefix in _NOISE_PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text


def _sort_key(change: ResourceChange) -> tuple[int, str, str]:
    return (OP_ORDER.index(change.op), change.function or "~", change.name)

