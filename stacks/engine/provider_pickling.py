"""Keep Pulumi's provider pickling from nesting without end.

`pulumi.dynamic`'s serialize_provider (3.259) sorts dict items by wrapping
`pickle._Pickler._batch_setitems` on every call and never unwraps it: each
dynamic resource adds a layer, and a process that has built a few hundred
of them (a large plan, preview then up, a test run) dies of RecursionError
while pickling the next provider. `install()` puts the stdlib method back
around every call, so each pickling sees exactly one layer.
"""

from __future__ import annotations

import pickle
from typing import Any, Callable

STDLIB_QUALNAME = "_Pickler._batch_setitems"
# The name of the wrapped method inside Pulumi's wrapper closure.
WRAPPED_NAME = "unsorted_batch_setitems"


def stdlib_batch_setitems() -> Callable[..., Any]:
    """The stdlib method under however many layers earlier calls left."""
    method = pickle._Pickler._batch_setitems  # type: ignore[attr-defined]
    while getattr(method, "__qualname__", "") != STDLIB_QUALNAME:
        cells = dict(zip(method.__code__.co_freevars, method.__closure__ or ()))
        if WRAPPED_NAME not in cells:
            raise RuntimeError(f"unexpected wrapper {method.__qualname__} around pickle's _batch_setitems")
        method = cells[WRAPPED_NAME].cell_contents
    return method


def install() -> None:
    """Make pulumi.dynamic's serialize_provider leave pickle as it found it (idempotent)."""
    from pulumi.dynamic import dynamic

    if getattr(dynamic.serialize_provider, "unnested", False):
        return
    stock = dynamic.serialize_provider
    original = stdlib_batch_setitems()

    def serialize_provider(provider: Any) -> str:
        pickle._Pickler._batch_setitems = original  # type: ignore[attr-defined]
        try:
            return stock(provider)
        finally:
            pickle._Pickler._batch_setitems = original  # type: ignore[attr-defined]

    serialize_provider.unnested = True  # type: ignore[attr-defined]
    dynamic.serialize_provider = serialize_provider
