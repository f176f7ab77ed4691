"""Tag bookkeeping shared by providers: what to set and what to remove on update."""

from __future__ import annotations

from typing import Any, Iterable, Mapping


def tag_changes(old: Mapping[str, str] | None, new: Mapping[str, str] | None) -> tuple[dict[str, str], list[str]]:
    """(tags to set, keys to remove) that turn `old` into `new`."""
    old, new = dict(old or {}), dict(new or {})
    to_set = {k: v for k, v in new.items() if old.get(k) != v}
    return to_set, sorted(old.keys() - new.keys())


def tags_of(items: Iterable[Mapping[str, Any]] | None, key: str = "Key", value: str = "Value") -> dict[str, str]:
    """A plain mapping from AWS's [{Key:..., Value:...}] shape."""
    return {item[key]: item[value] for item in items or ()}

