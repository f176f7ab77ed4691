"""Verify's tables per kind, derived from what each provider class declares.

A provider says what verify needs of its kind (AwsResourceProvider's
INVENTORY_MARKER, EXISTENCE_PROBE, TAG_READER, VERIFY_CHECKS, NOT_FOUND and
ALSO_GONE); providers may not import this layer, so callables are named by
reference: "module:attribute", or ("module:factory", *args) for what
`factory(*args)` makes, a module without a dot being one of stacks/verify/checks/.
Each function takes the classes to read (every kind's by default, from
stacks.providers.kinds), so a test can add a class of its own.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, Mapping

from provision.stacks.providers.base import AwsResourceProvider, Ref
from provision.stacks.providers.kinds import provider_classes, union_of

CHECKS_PACKAGE = "provision.stacks.verify.checks"

Classes = Mapping[str, type[AwsResourceProvider]]


def resolve(ref: Ref) -> Any:
    """What `ref` names: the attribute, or what the factory makes of the arguments."""
    name, *args = (ref,) if isinstance(ref, str) else ref
    module, _, attribute = name.partition(":")
    target = getattr(importlib.import_module(module if "." in module else f"{CHECKS_PACKAGE}.{module}"), attribute)
    return target if isinstance(ref, str) else target(*args)


def _classes(classes: Classes | None) -> Classes:
    return provider_classes() if classes is None else classes


def kind_markers(classes: Classes | None = None) -> tuple[tuple[str, str], ...]:
    """(kind, marker), in the order they are tried: INVENTORY_PRIORITY first, then by kind."""
    ordered = sorted(_classes(classes).items(), key=lambda item: (-item[1].INVENTORY_PRIORITY, item[0]))
    return tuple((kind, cls.INVENTORY_MARKER) for kind, cls in ordered if cls.INVENTORY_MARKER)


def refs(attribute: str, classes: Classes | None = None) -> dict[str, Callable[..., Any]]:
    """Kind -> the callable its class names in `attribute` (EXISTENCE_PROBE, TAG_READER), for kinds naming one."""
    named = {kind: getattr(cls, attribute) for kind, cls in _classes(classes).items()}
    return {kind: resolve(ref) for kind, ref in named.items() if ref is not None}


def gone_codes(classes: Classes | None = None) -> frozenset[str]:
    """The codes some kinds' calls take as "gone" beyond the shared not-found codes (ALSO_GONE)."""
    return union_of("ALSO_GONE", classes)


def kind_checks(by_id: Mapping[str, Any], classes: Classes | None = None) -> dict[str, tuple[Any, ...]]:
    """Kind -> its VERIFY_CHECKS as the functions `by_id` gives; kinds with none are left out."""
    out = {}
    for kind, cls in _classes(classes).items():
        unknown = [check_id for check_id in cls.VERIFY_CHECKS if check_id not in by_id]
        if unknown:
            raise ValueError(f"{cls.__name__}.VERIFY_CHECKS names unknown checks: {', '.join(unknown)}")
        if cls.VERIFY_CHECKS:
            out[kind] = tuple(by_id[check_id] for check_id in cls.VERIFY_CHECKS)
    return out
