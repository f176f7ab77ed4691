"""The function types a plan may use, each declared once with every fact about it.

The six built-in types are listed in schemas.builtin_types; `register` adds
another (an extension, or a test) and `registered` adds one for a `with`
block. Everything per type (the schema's `type` enum and sections, the
program, cost, verify coverage, ...) is read from here.

Implementations live in the layers above schemas, so a declaration may name
them as "module:attribute" strings, imported on first use; an extension
passes the callables themselves.
"""

from __future__ import annotations

import contextlib
import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping

if TYPE_CHECKING:
    from provision.schemas.model import Function

# A callable, or "package.module:attribute" naming one.
Ref = str | Callable[..., Any]
# Keys of a function besides its settings section; no section may take one.
COMMON_KEYS = frozenset({"type", "provider", "tier", "data", "sla", "budget"})


def _no_kinds(function: "Function") -> tuple[str, ...]:
    return ()


@dataclass(frozen=True)
class FunctionType:
    """One function type: what a plan writes, what gets built, priced and verified."""

    name: str  # the plan's `type`, e.g. "data-exchange"
    section: str  # the settings section, e.g. "dataExchange"
    # A module (or its dotted name) with build(ctx) -> FunctionComponent (stacks.functions.base).
    program: Any
    # (pricer, function, usage) -> {line item: USD a month}; see policies.cost.estimator.
    cost: Ref
    # Resource kinds (stacks.providers) every such function has, which verify expects...
    kinds: tuple[str, ...] = ()
    # ...and function -> the kinds its settings add.
    more_kinds: Ref = _no_kinds
    # JSON Schema of the settings section; None for built-ins, which the published schema holds.
    settings_schema: Mapping[str, Any] | None = None
    description: str = ""  # one sentence for the schema's `type` enum
    # Usage assumptions for `cost` when the price table has none for this type.
    usage: Mapping[str, float] = field(default_factory=dict)
    # (pricer, function) -> GB the function holds, which backing it up stores.
    stored_gb: Ref | None = None
    holds_data: bool = False  # holds the organisation's data, so a backup should protect it
    data_in_s3: bool = False  # ...in S3 buckets, which AWS Backup needs extra rights for
    depends_on: str | None = None  # settings key listing the functions built before this one
    # (function, outputs, scope) -> IAM statements for whoever operates it (stacks.functions.iam_policies).
    access: Ref | None = None
    # (plan, function) -> (suffix, naming kind, what, path) of each AWS name it gives (schemas.plan_names).
    names: Ref | None = None
    # (plan, function, account_id) -> the AlarmSpecs a monitoring function watching it gets
    # (stacks.functions.monitoring_alarms); None when it has no metric to alarm on, because:
    alarms: Ref | None = None
    no_alarms_because: str = "it publishes no metric of its own health"
    # Values the section takes when the plan leaves them out (cli.review: not a change).
    setting_defaults: Mapping[str, Any] = field(default_factory=dict)


def resolve(ref: Ref) -> Any:
    """The callable `ref` names (imported on first use), or `ref` itself."""
    if not isinstance(ref, str):
        return ref
    module, _, attribute = ref.partition(":")
    return getattr(importlib.import_module(module), attribute)


def program_module(function_type: FunctionType) -> Any:
    program = function_type.program
    return importlib.import_module(program) if isinstance(program, str) else program


_registered: dict[str, FunctionType] = {}
_generation = 0


def _builtins() -> dict[str, FunctionType]:
    # Imported late: the declarations import this module for FunctionType.
    from provision.schemas.builtin_types import BUILTIN_TYPES

    return {t.name: t for t in BUILTIN_TYPES}


def _all() -> dict[str, FunctionType]:
    if not _registered:
        _registered.update(_builtins())
    return _registered


def get(name: str) -> FunctionType:
    """The type called `name`; KeyError if none is registered."""
    return _all()[name]


def names() -> tuple[str, ...]:
    return tuple(_all())


def all_types() -> tuple[FunctionType, ...]:
    return tuple(_all().values())


def extensions() -> tuple[FunctionType, ...]:
    """The registered types beyond the built-ins, in registration order."""
    builtin = _builtins()
    return tuple(t for t in _all().values() if t.name not in builtin)


def section_of(name: str) -> str:
    return get(name).section


def type_of_section(section: str) -> str | None:
    return next((t.name for t in _all().values() if t.section == section), None)


def generation() -> int:
    """Changes whenever the set of types does: caches of derived data key on it."""
    return _generation


def register(function_type: FunctionType) -> FunctionType:
    """Add a type; ValueError if its name or section is taken or it lacks a settings schema."""
    types = _all()
    if function_type.name in types:
        raise ValueError(f"function type '{function_type.name}' is already registered")
    sections = {t.section for t in types.values()} | COMMON_KEYS
    if function_type.section in sections:
        raise ValueError(f"section '{function_type.section}' is already taken")
    if function_type.settings_schema is None:
        raise ValueError(f"function type '{function_type.name}' needs a settings_schema")
    global _generation
    types[function_type.name] = function_type
    _generation += 1
    return function_type


def unregister(name: str) -> None:
    """Remove a registered extension; the built-ins stay."""
    if name in _builtins():
        raise ValueError(f"'{name}' is a built-in function type")
    global _generation
    del _all()[name]
    _generation += 1


@contextlib.contextmanager
def registered(*function_types: FunctionType) -> Iterator[None]:
    """Register `function_types` for the duration of a `with` block."""
    done: list[str] = []
    try:
        for function_type in function_types:
            done.append(register(function_type).name)
        yield
    finally:
        for name in reversed(done):
            unregister(name)
