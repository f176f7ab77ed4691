"""Tag bookkeeping shared by providers: what to set and what to remove on update."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping


def tag_changes(old: Mapping[str, str] | None, new: Mapping[str, str] | None) -> tuple[dict[str, str], list[str]]:
    """(tags to set, keys to remove) that turn `old` into `new`."""
    old, new = dict(old or {}), dict(new or {})
    to_set = {k: v for k, v in new.items() if old.get(k) != v}
    return to_set, sorted(old.keys() - new.keys())


def tags_of(items: Iterable[Mapping[str, Any]] | None, key: str = "Key", value: str = "Value") -> dict[str, str]:
    """A plain mapping from AWS's [{Key:..., Value:...}] shape."""
    return {item[key]: item[value] for item in items or ()}



def apply_tag_changes(
    old: Mapping[str, str] | None,
    new: Mapping[str, str] | None,
    *,
    tag: Callable[[dict[str, str]], Any],
    untag: Callable[[list[str]], Any],
) -> None:
    """Take a resource's tags from `old` to `new` with the service's own calls:
    `untag(keys)` for removed keys, then `tag(mapping)` for new or changed ones."""
    to_set, to_remove = tag_changes(old, new)
    if to_remove:
        untag(to_remove)
    if to_set:
        tag(to_set)
