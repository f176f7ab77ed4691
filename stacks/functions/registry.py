"""Which program builds which function type: the one its declaration names
(schemas.function_types), imported on first use."""

from __future__ import annotations

from typing import Any

from provision.schemas import function_types


def program_for(function_type: str) -> Any:
    """The module (or object) whose build(ctx) builds functions of `function_type`."""
    return function_types.program_module(function_types.get(function_type))
