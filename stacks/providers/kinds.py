"""Each resource kind's provider class: kind `RouteTable` is served by `RouteTableProvider`.

Drift and the diff tests ask a provider what it declares (SET_LIKE,
REPLACE_ON, UNIQUE_BY) knowing only the kind a state entry names; the "not
found" codes every provider honours and verify's tables per kind
(stacks/verify/declared.py) are derived from what the classes declare.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from typing import Mapping

from provision.stacks.providers.base import AwsResourceProvider

SUFFIX = "Provider"


@functools.cache
def provider_classes() -> dict[str, type[AwsResourceProvider]]:
    """Kind -> provider class, for every provider module of this package."""
    package = importlib.import_module(__package__ or "provision.stacks.providers")
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
    found: dict[str, type[AwsResourceProvider]] = {}
    pending = list(AwsResourceProvider.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith(package.__name__ + ".") and cls.__name__.endswith(SUFFIX):
            found[cls.__name__.removesuffix(SUFFIX)] = cls
    return dict(sorted(found.items()))


def set_like(kind: str) -> frozenset[str]:
    """The properties of `kind` that compare as sets; none for an unknown kind."""
    cls = provider_classes().get(kind)
    return cls.SET_LIKE if cls is not None else frozenset()


def union_of(attribute: str, classes: Mapping[str, type[AwsResourceProvider]] | None = None) -> frozenset[str]:
    """The union of a set every class declares (NOT_FOUND, ALSO_GONE), of every kind by default."""
    classes = provider_classes() if classes is None else classes
    return frozenset().union(*(getattr(cls, attribute) for cls in classes.values()))


@functools.cache
def not_found_codes() -> frozenset[str]:
    """Every kind's NOT_FOUND: the error codes that mean "not there"."""
    return union_of("NOT_FOUND")
