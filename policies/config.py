"""Per-organisation settings: `provision-policies.yaml` next to the plans (docs/policy-config.md).

    policies:
      PRV-VEN-001:
        enforcement: advisory          # mandatory | advisory | disabled
        params:
          maxCriticalPerVendor: 3
      PRV-SLA-001:
        params:
          minAvailability: {important: 99.0}   # maps merge key by key
    externalIdRefs:                    # where externalIdRef may point (globs)
      - ssm:/acme/vendors/*
    residencies:                       # added to the built-in ones
      nz: {regions: [ap-southeast-6], countries: [NZ], label: New Zealand}
    costAllocationTagsActive: true     # the provision:* tags are active cost allocation
                                       # tags: budgets may filter on them (default false)

Unknown keys, policy ids, params and values of the wrong type are errors
(PolicyConfigError, with file:line:column), never silently ignored.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

import yaml

from provision.policies.base import Enforcement, Policy
from provision.policies.references import DEFAULT_EXTERNAL_ID_REFS, ReferenceError_, check_namespace
from provision.policies.registry import get, ids
from provision.policies.residency import BUILTIN, Residency, from_data

CONFIG_FILENAME = "provision-policies.yaml"
COST_TAGS_KEY = "costAllocationTagsActive"
SECTIONS = ("policies", "externalIdRefs", "residencies", COST_TAGS_KEY)
_RESIDENCY_KEYS = ("regions", "except", "countries", "label")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_RESIDENCY_NAME = re.compile(r"^[a-z][a-z0-9-]{1,30}$")


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
    source: Path | str | None = None  # the file it came from; None for built-in defaults
    external_id_refs: tuple[str, ...] = DEFAULT_EXTERNAL_ID_REFS
    residencies: Mapping[str, Residency] = field(default_factory=lambda: dict(BUILTIN))
    # The management account activated the provision:* cost allocation tags.
    cost_allocation_tags_active: bool = False

    @property
    def label(self) -> str:
        """What every output names as the config applied: its path (relative to the working
        directory when under it), or "defaults"."""
        if self.source is None:
            return "defaults"
        if isinstance(self.source, Path) and self.source.is_absolute():
            try:
                return str(self.source.relative_to(Path.cwd().resolve()))
            except ValueError:
                pass
        return str(self.source)

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

    def config(self, root: yaml.Node | None) -> PolicyConfig:
        if root is None:
            return PolicyConfig()
        overrides: dict[str, PolicyOverride] = {}
        refs, residencies = DEFAULT_EXTERNAL_ID_REFS, dict(BUILTIN)
        for name, key, value in self.mapping(root, "the policy config"):
            if name not in SECTIONS:
                close = difflib.get_close_matches(name, SECTIONS, n=1)
                hint = f"did you mean {close[0]}? " if close else ""
                raise self.error(f"unknown key '{name}' ({hint}expected: {', '.join(SECTIONS)})", key)
            if name == COST_TAGS_KEY:
                if not isinstance(self.value(value), bool):
                    raise self.error(f"{COST_TAGS_KEY} must be true or false", value)
                self.cost_tags_active = self.value(value)
                continue
            if isinstance(value, yaml.ScalarNode) and self.value(value) is None:
                continue
            if name == "policies":
                for policy_id, id_node, body in self.mapping(value, "policies"):
                    overrides[policy_id] = self.policy(policy_id, id_node, body)
            elif name == "externalIdRefs":
                refs = self.references(value)
            else:
                residencies.update(self.residencies(value))
        return PolicyConfig(
            overrides=overrides, external_id_refs=refs, residencies=residencies,
            cost_allocation_tags_active=self.cost_tags_active,
        )  # fmt: skip

    def references(self, node: yaml.Node) -> tuple[str, ...]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.error("externalIdRefs must be a list of globs such as ssm:/acme/vendors/*", node)
        globs = []
        for item in node.value:
            glob = self.value(item)
            if not isinstance(glob, str):
                raise self.error(f"externalIdRefs: {glob!r} is not a string", item)
            try:
                check_namespace(glob)
            except ReferenceError_ as error:
                raise self.error(f"externalIdRefs: {error}", item) from None
            globs.append(glob)
        return tuple(globs)

    def residencies(self, node: yaml.Node) -> dict[str, Residency]:
        found = {}
        for name, key, body in self.mapping(node, "residencies"):
            if name in BUILTIN:
                raise self.error(f"residencies: '{name}' is built in and cannot be redefined; "
                                 "add yours under another name", key)
            if not _RESIDENCY_NAME.match(name):
                raise self.error(f"residencies: '{name}' must be 2 to 31 lowercase letters, digits and hyphens", key)
            entry: dict[str, Any] = {}
            for field_name, field_key, value in self.mapping(body, f"residency '{name}'"):
                if field_name not in _RESIDENCY_KEYS:
                    raise self.error(f"residency '{name}': unknown key '{field_name}' "
                                     f"(expected: {', '.join(_RESIDENCY_KEYS)})", field_key)
                if field_name == "label":
                    entry[field_name] = self.typed(f"residency '{name}'.label", "", value)
                    continue
                items = self.typed(f"residency '{name}'.{field_name}", [], value)
                for index, item in enumerate(items):
                    bad = not isinstance(item, str) or (field_name == "countries" and not _COUNTRY.match(item))
                    if bad:
                        what = "an ISO 3166 alpha-2 code in capitals, such as NZ" if field_name == "countries" \
                            else "a region name or glob, such as ap-southeast-6"
                        raise self.error(f"residency '{name}'.{field_name}[{index}] must be {what}, not {item!r}",
                                         value.value[index])
                entry[field_name] = items
            for required in ("regions", "countries"):
                if not entry.get(required):
                    raise self.error(f"residency '{name}' needs a non-empty '{required}' list", body)
            found[name] = from_data(name, entry)
        return found

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
                    raise self.error(_bad_enforcement(policy_id, value, level, choices), value)
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


def _bad_enforcement(policy_id: str, node: yaml.Node, level: Any, choices: list[str]) -> str:
    allowed = ", ".join(choices)
    written = node.value if isinstance(node, yaml.ScalarNode) else level
    message = f"{policy_id}: enforcement must be one of {allowed}, not '{written}'"
    if isinstance(level, bool):  # YAML 1.1 reads off/no/false as false and on/yes/true as true
        message += f" (YAML reads {written} as {str(level).lower()})"
        if not level:
            message += "; to switch the policy off, write enforcement: disabled"
    return message


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
    return _Parser(filename).config(root)


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
    return replace(config, source=path)
