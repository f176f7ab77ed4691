"""The resource changes of a preview, as the pull-request comment shows them.

`provision plan` maps the engine's preview steps onto these; the renderers only
read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

OPS = ("create", "update", "replace", "delete", "same")
DESTRUCTIVE_OPS = frozenset({"replace", "delete"})

# Pulumi's step ops onto ours; a replacement shows as several steps in Pulumi.
_PULUMI_OPS = {
    "create": "create",
    "update": "update",
    "delete": "delete",
    "same": "same",
    "replace": "replace",
    "create-replacement": "replace",
    "delete-replaced": "replace",
    "discard-replaced": "replace",
    "import": "create",
    "import-replacement": "replace",
    "read": "same",
    "refresh": "same",
    "read-replacement": "replace",
    "discard": "delete",
    "remove-pending-replace": "delete",
}


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


def op_from_pulumi(op: str) -> str:
    """Our op for a Pulumi step op (e.g. "create-replacement" -> "replace")."""
    try:
        return _PULUMI_OPS[op]
    except KeyError:
        raise ValueError(f"unknown Pulumi step op {op!r}") from None


def has_changes(groups: Iterable[FunctionResources]) -> bool:
    return any(group.changed for group in groups)
