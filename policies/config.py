"""Per-organisation policy overrides: `provision-policies.yaml` next to the plans.

    policies:
      PRV-VEN-001:
        enforcement: advisory          # mandatory | advisory | disabled
        params:
          maxCriticalPerVendor: 3
      PRV-SLA-001:
        params:
          minAvailability: {important: 99.0}   # maps merge key by key
    costAllocationTagsActive: true     # the provision:* tags are active cost allocation
                                       # tags: budgets may filter on them (default false)

Unknown policy ids, unknown params and values of the wrong type are errors
(PolicyConfigError, with file:line:column), never silently ignored.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from provision.policies.base import Enforcement, Policy
from provision.policies.registry import get, ids

CONFIG_FILENAME = "provision-policies.yaml"
COST_TAGS_KEY = "costAllocationTagsActive"


class PolicyConfigError(ValueError):
    """An invalid policy config, located in its file when possible."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None, column: int | None = None):
        self.message, self.file, self.line, self.column = message, file, line, column
        where = ":".join(str(p) for p in (file, line, column) if p is not None)
        super().__init__(f"{where}: {message}" if where else message)


@dataclass(frozen=True)
class PolicyOverride:
    enforcement: Enforcement | None = None
    params: Mapping[str, Any] = field(default_factory=dict)  # validated; maps already merged with defaults


@dataclass(frozen=True)
class PolicyConfig:
    overrides: Mapping[str, PolicyOverride] = field(default_factory=dict)
    source: Path | None = None  # the file it came from; None for built-in defaults
    # The management account activated the provision:* cost allocation tags.
    cost_allocation_tags_active: bool = False

    def enforcement(self, policy: Policy) -> Enforcement:
        override = self.overrides.get(policy.id)
        return override.enforcement if override and override.enforcement else policy.enforcement

    def params(self, policy: Policy) -> dict[str, Any]:
        override = self.overrides.get(policy.id)
        return {**policy.params, **(override.params if override else {})}


class _Parser:
    """Walks the composed YAML nodes so every error can point at its line."""

    def __init__(self, filename: str):
        self.filename = filename
        self.scalars = yaml.SafeLoader("")
        self.cost_tags_active = False

    def error(self, message: str, node: yaml.Node) -> PolicyConfigError:
        mark = node.start_mark
        return PolicyConfigError(message, self.filename, mark.line + 1, mark.column + 1)

    def mapping(self, node: yaml.Node, what: str) -> list[tuple[str, yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.error(f"{what} must be a mapping", node)
        seen: set[str] = set()
        pairs = []
        for key, value in node.value:
            name = self.scalars.construct_object(key) if isinstance(key, yaml.ScalarNode) else None
            if not isinstance(name, str):
                raise self.error(f"keys of {what} must be strings", key)
            if name in seen:
                raise self.error(f"duplicate key '{name}' in {what}", key)
            seen.add(name)
            pairs.append((name, key, value))
        return pairs

    def value(self, node: yaml.Node) -> Any:
        return self.scalars.construct_object(node, deep=True)

    def config(self, root: yaml.Node | None) -> dict[str, PolicyOverride]:
        if root is None:
            return {}
        overrides: dict[str, PolicyOverride] = {}
        for name, key, value in self.mapping(root, "the policy config"):
            if name == COST_TAGS_KEY:
                if not isinstance(self.value(value), bool):
                    raise self.error(f"{COST_TAGS_KEY} must be true or false", value)
                self.cost_tags_active = self.value(value)
                continue
            if name != "policies":
                raise self.error(f"unknown key '{name}' (expected: policies, {COST_TAGS_KEY})", key)
            if isinstance(value, yaml.ScalarNode) and self.value(value) is None:
                continue
            for policy_id, id_node, body in self.mapping(value, "policies"):
                overrides[policy_id] = self.policy(policy_id, id_node, body)
        return overrides

    def policy(self, policy_id: str, id_node: yaml.Node, body: yaml.Node) -> PolicyOverride:
        try:
            policy = get(policy_id)
        except KeyError:
            close = difflib.get_close_matches(policy_id, ids(), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise self.error(f"unknown policy id '{policy_id}'{hint}", id_node) from None
        enforcement, params = None, {}
        for name, key, value in self.mapping(body, policy_id):
            if name == "enforcement":
                level = self.value(value)
                choices = [e.value for e in Enforcement]
                if level not in choices:
                    allowed = ", ".join(choices)
                    raise self.error(f"{policy_id}: enforcement must be one of {allowed}, not {level!r}", value)
                enforcement = Enforcement(level)
            elif name == "params":
                params = self.params(policy, value)
            else:
                raise self.error(f"{policy_id}: unknown key '{name}' (expected: enforcement, params)", key)
        return PolicyOverride(enforcement, params)

    def params(self, policy: Policy, node: yaml.Node) -> dict[str, Any]:
        out = {}
        for name, key, value in self.mapping(node, f"{policy.id} params"):
            if name not in policy.params:
                known = ", ".join(sorted(policy.params)) or "none"
                raise self.error(f"{policy.id}: unknown param '{name}' (known: {known})", key)
            out[name] = self.typed(f"{policy.id}.{name}", policy.params[name], value)
        return out

    def typed(self, where: str, default: Any, node: yaml.Node) -> Any:
        """The override value, checked against the default's type; maps merge into the default."""
        if isinstance(default, Mapping):
            merged = dict(default)
            for name, key, value in self.mapping(node, where):
                if name not in default:
                    raise self.error(f"{where}: unknown key '{name}' (known: {', '.join(sorted(default))})", key)
                merged[name] = self.typed(f"{where}.{name}", default[name], value)
            return merged
        if isinstance(default, list):
            if not isinstance(node, yaml.SequenceNode):
                raise self.error(f"{where} must be a list", node)
            if not default:
                return [self.value(item) for item in node.value]
            return [self.typed(f"{where}[{i}]", default[0], item) for i, item in enumerate(node.value)]
        value = self.value(node)
        if not _same_kind(default, value):
            raise self.error(f"{where} must be {_kind(default)}, not {value!r}", node)
        return value


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    return "a string"


def _same_kind(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float))
    return type(value) is type(default)


def parse_config(text: str, filename: str = CONFIG_FILENAME) -> PolicyConfig:
    """Parse and validate a policy config document."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise PolicyConfigError(f"invalid YAML: {exc.problem}", filename, line, column) from None
    except yaml.YAMLError as exc:
        raise PolicyConfigError(f"invalid YAML: {exc}", filename) from None
    parser = _Parser(filename)
    overrides = parser.config(root)
    return PolicyConfig(overrides=overrides, cost_allocation_tags_active=parser.cost_tags_active)


def find_config(search_from: Path) -> Path | None:
    """`provision-policies.yaml` in search_from or its parents, stopping at a repository root (.git)."""
    start = search_from if search_from.is_dir() else search_from.parent
    for directory in (start.resolve(), *start.resolve().parents):
        candidate = directory / CONFIG_FILENAME
        if candidate.is_file():
            return candidate
        if (directory / ".git").exists():
            return None
    return None


def load_config(path: Path | None = None, search_from: Path | None = None) -> PolicyConfig:
    """The explicit file, else the nearest one found from search_from; built-in defaults when there is none."""
    if path is None and search_from is not None:
        path = find_config(Path(search_from))
    if path is None:
        return PolicyConfig()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyConfigError("policy config not found", str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyConfigError(f"cannot read policy config: {exc}", str(path)) from None
    config = parse_config(text, str(path))
    return PolicyConfig(
        overrides=config.overrides, source=path, cost_allocation_tags_active=config.cost_allocation_tags_active
    )
