"""Shared fixtures of the review tests: the realistic base plan of the cases, as data."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from provision.schemas.model import Plan, build_plan

CASES = Path(__file__).parent / "cases"
BASE_PLAN = CASES / "provider-swap" / "base.yaml"


@pytest.fixture(scope="session")
def _base_doc() -> dict[str, Any]:
    return yaml.safe_load(BASE_PLAN.read_text(encoding="utf-8"))


@pytest.fixture
def base_doc(_base_doc: dict[str, Any]) -> dict[str, Any]:
    """A fresh copy of the cases' base plan document, free to mutate."""
    return copy.deepcopy(_base_doc)


@pytest.fixture
def edited(_base_doc: dict[str, Any]) -> Callable[[Callable[[dict], Any]], tuple[Plan, Plan]]:
    """(base plan, plan after `edit(doc)` mutated a copy of the base document)."""

    def make(edit: Callable[[dict], Any]) -> tuple[Plan, Plan]:
        head = copy.deepcopy(_base_doc)
        edit(head)
        return build_plan(_base_doc), build_plan(head)

    return make
