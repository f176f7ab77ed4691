"""Turn a composed YAML node graph into plain data plus a PositionMap.

PyYAML's own constructor loses positions, accepts duplicate keys silently (here
they are reported, and the last value is kept) and
expands aliases without limit; building from nodes ourselves fixes all three in
one pass. Keys always stay the text the user wrote (`on:` is the key "on", not
True); scalar values follow YAML 1.1 as PyYAML's safe loader reads them.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import yaml

from provision.schemas.model import Path
from provision.schemas.positions import Mark, PositionMap

MAX_DEPTH = 50  # nesting levels; a plan needs about 8
MAX_ALIAS_NODES = 10_000  # nodes produced by expanding aliases (stops "billion laughs")

_TAG = "tag:yaml.org,2002:"
MERGE_TAG = _TAG + "merge"
_COLLECTION_TAGS = {_TAG + "map", _TAG + "seq"}


# Integers longer than Python's limit for decimal text (sys.int_info.default_max_str_digits, 4,300 digits).
_MAX_INT_BITS = 14_000


class BuildError(Exception):
    """One problem found while building; the loader turns it into a Finding."""

    def __init__(self, rule: str, mark: Mark, message: str, fix: str, path: Path = ()) -> None:
        super().__init__(message)
        self.rule, self.mark, self.message, self.fix, self.path = rule, mark, message, fix, path


def _shown(tag: str) -> str:
    return "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag


def mark_of(node: yaml.Node) -> Mark:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _scalar_constructors(constructor: yaml.constructor.SafeConstructor) -> dict[str, Callable[[yaml.Node], Any]]:
    return {
        _TAG + "str": lambda node: node.value,
        _TAG + "null": lambda node: None,
        _TAG + "bool": constructor.construct_yaml_bool,
        _TAG + "int": constructor.construct_yaml_int,
        _TAG + "float": constructor.construct_yaml_float,
        _TAG + "timestamp": constructor.construct_yaml_timestamp,
    }


class Builder:
    """Builds data from one document's root node; use once per document."""

    def __init__(self, constructor: yaml.constructor.SafeConstructor) -> None:
        self.positions = PositionMap()
        self.problems: list[BuildError] = []  # found, reported, and stepped past (duplicate keys)
        self._scalars = _scalar_constructors(constructor)
        self._active: set[int] = set()  # nodes being built: meeting one again is a recursive alias
        self._seen: set[int] = set()  # nodes built once: meeting one again is an alias
        self._alias_depth = 0
        self._alias_nodes = 0

    def build(self, node: yaml.Node, path: Path = (), depth: int = 0, site: Mark | None = None) -> Any:
        """Build `node` found at `path`; `site` is where it is used (its key, for aliases)."""
        site = site or mark_of(node)
        node_id = id(node)
        if node_id in self._active:
            raise BuildError(
                "LOAD-ALIAS", site, "This alias refers to the collection that contains it, which never ends.",
                "Point the alias at an anchor outside the collection, or write the value out.", path)
        if depth > MAX_DEPTH:
            raise BuildError(
                "LOAD-DEPTH", site, f"The document nests deeper than {MAX_DEPTH} levels.",
                "Flatten the structure: a plan needs fewer than 10 levels.", path)
        alias = node_id in self._seen
        self._seen.add(node_id)
        self._alias_depth += alias
        try:
            if self._alias_depth:
                self._alias_nodes += 1
                if self._alias_nodes > MAX_ALIAS_NODES:
                    raise BuildError(
                        "LOAD-ALIAS", site,
                        f"Aliases expand to more than {MAX_ALIAS_NODES:,} values (an alias bomb?).",
                        "Write the repeated values out, or use fewer nested aliases.", path)
            if isinstance(node, yaml.ScalarNode):
                return self._scalar(node, path, site)
            self._check_collection_tag(node, path)
            self._active.add(node_id)
            try:
                if isinstance(node, yaml.MappingNode):
                    return self._mapping(node, path, depth)
                return [self._item(child, path + (i,), depth + 1, site) for i, child in enumerate(node.value)]
            finally:
                self._active.discard(node_id)
        finally:
            self._alias_depth -= alias

    def _item(self, node: yaml.Node, path: Path, depth: int, parent_site: Mark) -> Any:
        # An aliased item's own marks point at its anchor; the parent is a truer "where".
        site = parent_site if id(node) in self._seen else mark_of(node)
        self.positions.anchors[path] = mark_of(node)
        return self.build(node, path, depth, site)

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merges = [value for key, value in node.value if key.tag == MERGE_TAG]
        # `<<: [*a, *b]`: earlier sources win, explicit keys win over all of them.
        for source in reversed(merges):
            for mapping in reversed(self._merge_sources(source, path)):
                result.update(self.build(mapping, path, depth, mark_of(source)))
        first_seen: dict[str, Mark] = {}
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                continue
            key_mark = mark_of(key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                raise BuildError(
                    "LOAD-SYNTAX", key_mark, "A key must be plain text, not a list or a mapping.",
                    "Write the key as a plain word such as `name:`.", path)
            key = key_node.value
            if key in first_seen:
                # Reported, and checking goes on with the last value, as every YAML reader keeps
                # it: the checks then see what other tools reading the plan would see.
                line, column = first_seen[key]
                self.problems.append(BuildError(
                    "LOAD-DUPLICATE-KEY", key_mark,
                    f"Duplicate key `{key}`: it is already defined at line {line}, column {column}; "
                    "YAML keeps only this last one, and so do the other checks.",
                    f"Remove one of the two `{key}:` entries, or merge their contents.", path + (key,)))
            first_seen[key] = key_mark
            child = path + (key,)
            block = isinstance(value_node, yaml.CollectionNode) and not value_node.flow_style
            self.positions.keys[child] = key_mark
            self.positions.anchors[child] = key_mark if block else mark_of(value_node)
            result[key] = self.build(value_node, child, depth + 1, key_mark)
        return result

    def _merge_sources(self, source: yaml.Node, path: Path) -> list[yaml.MappingNode]:
        if isinstance(source, yaml.MappingNode):
            return [source]
        if isinstance(source, yaml.SequenceNode) and all(isinstance(n, yaml.MappingNode) for n in source.value):
            return list(source.value)
        raise BuildError(
            "LOAD-SYNTAX", mark_of(source), "A merge key `<<` needs a mapping or a list of mappings.",
            "Point `<<:` at an anchored mapping, e.g. `<<: *defaults`.", path)

    def _check_collection_tag(self, node: yaml.CollectionNode, path: Path) -> None:
        if node.tag not in _COLLECTION_TAGS:
            raise BuildError(
                "LOAD-TAG", mark_of(node), f"The tag `{_shown(node.tag)}` is not supported in plans.",
                "Remove the tag: plans use plain mappings, lists and scalars.", path)

    def _scalar(self, node: yaml.ScalarNode, path: Path, site: Mark) -> Any:
        construct = self._scalars.get(node.tag)
        if construct is None:
            raise BuildError(
                "LOAD-TAG", mark_of(node), f"The tag `{_shown(node.tag)}` is not supported in plans.",
                "Remove the tag: plans use plain strings, numbers, booleans and dates.", path)
        try:
            value = construct(node)
        except (ValueError, OverflowError, yaml.YAMLError):
            if node.tag == _TAG + "timestamp":
                # Looks like a date but is not one (2027-02-30): the schema explains better.
                return node.value
            raise BuildError(
                "LOAD-SYNTAX", mark_of(node), f"`{node.value}` is not a valid {node.tag.removeprefix(_TAG)}.",
                "Fix the value, or remove the explicit tag.", path) from None
        if isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
            # Hex and base-60 integers escape Python's 4,300-digit limit on decimal text, and such a
            # value could not even be printed in a message: refuse it here, located, as decimals are.
            shown = node.value if len(node.value) <= 40 else node.value[:20] + "…" + node.value[-8:]
            raise BuildError(
                "LOAD-SYNTAX", mark_of(node), f"`{shown}` ({len(node.value):,} characters) is too large a number.",
                "Use a number of ordinary size, or quote the value if it is text.", path)
        if node.tag != _TAG + "str" and node.value:
            self.positions.sources[path] = node.value
        if isinstance(value, float) and not math.isfinite(value):
            raise BuildError(
                "LOAD-SYNTAX", mark_of(node), f"`{node.value}` is not a finite number.",
                "Use a plain number, or quote the value if it is text.", path)
        return value
