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


# The tags that say which plan, environment, function and provider a resource was made for.
OWNERSHIP_TAG_PREFIX = "provision:"


NOT_MADE_FOR_THIS = (
    "It is not tagged as this plan's, so provision will not take it over: delete it"
    " (after checking it holds nothing you need) or change the plan so the name differs."
)


def made_for(found: Mapping[str, str], wanted: Mapping[str, str] | None) -> bool:
    """Whether a resource tagged `found` was made for the resource whose props want tags `wanted`.

    A run killed between an AWS create and its state save leaves such a resource
    outside the state; providers that can recognise it by name adopt it when this
    holds, instead of failing on "already exists".
    """
    ownership = {k: v for k, v in (wanted or {}).items() if k.startswith(OWNERSHIP_TAG_PREFIX)}
    return bool(ownership) and all(found.get(k) == v for k, v in ownership.items())


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
