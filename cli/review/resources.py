"""The resource changes of a preview, as the pull-request comment shows them.

`provision plan` hands the engine's preview over with `from_engine`; the
renderers only read these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Protocol

OPS = ("create", "update", "replace", "delete", "same")
DESTRUCTIVE_OPS = frozenset({"replace", "delete"})

@dataclass(frozen=True)
class ResourceChange:
    """One resource of a preview: what happens to it and why."""

    name: str  # the logical name, e.g. "web-bucket"
    type: str  # e.g. "s3_bucket"
    op: str  # one of OPS
    reasons: tuple[str, ...] = ()  # properties forcing the replace, or the changed keys

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise ValueError(f"unknown resource op {self.op!r}; expected one of {', '.join(OPS)}")

    @property
    def destructive(self) -> bool:
        return self.op in DESTRUCTIVE_OPS


@dataclass(frozen=True)
class FunctionResources:
    """The resources of one function; `function` None holds plan-level ones (vendor roles, budgets)."""

    function: str | None
    changes: tuple[ResourceChange, ...]

    @property
    def label(self) -> str:
        return self.function or "(plan)"

    def count(self, op: str) -> int:
        return sum(1 for change in self.changes if change.op == op)

    @property
    def changed(self) -> bool:
        return any(change.op != "same" for change in self.changes)


class EngineChange(Protocol):
    """The part of provision.stacks.engine.events.ResourceChange the comment needs."""

    name: str
    function: str | None
    op: str  # create | update | replace | delete | same | read
    replace_keys: tuple[str, ...]
    changed_keys: tuple[str, ...]

    @property
    def kind(self) -> str: ...


def from_engine(changes: Iterable[EngineChange]) -> list[FunctionResources]:
    """The engine's per-resource changes (e.g. `ChangeSet.ordered()`) grouped by function, in first-seen order."""
    groups: dict[str | None, list[ResourceChange]] = {}
    for change in changes:
        op = "same" if change.op == "read" else change.op
        reasons = change.replace_keys if op == "replace" else change.changed_keys if op == "update" else ()
        groups.setdefault(change.function, []).append(ResourceChange(change.name, change.kind, op, tuple(reasons)))
    return [FunctionResources(function, tuple(items)) for function, items in groups.items()]


def has_changes(groups: Iterable[FunctionResources]) -> bool:
    return any(group.changed for group in groups)
