"""Which program builds which function type; listed explicitly, imported lazily."""

from __future__ import annotations

import importlib
from types import ModuleType

# function type -> module under provision.stacks.functions exposing build(ctx)
PROGRAMS = {
    "hosting": "hosting",
    "backup": "backup",
    "security-monitoring": "security_monitoring",
    "network": "network",
    "monitoring": "monitoring",
    "data-exchange": "data_exchange",
}


def program_for(function_type: str) -> ModuleType:
    return importlib.import_module(f"provision.stacks.functions.{PROGRAMS[function_type]}")
