"""The catalogue: explicit, complete, well-formed."""

from __future__ import annotations

import importlib
import pathlib
import re

import pytest

from provision.policies import registry
from provision.policies.base import Enforcement, Policy
from provision.policies.registry import POLICIES, get

RULES = pathlib.Path(registry.__file__).parent / "rules"


def test_catalogue_is_large_and_ids_are_unique() -> None:
    ids = [p.id for p in POLICIES]
    assert len(ids) >= 17
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.id)
def test_policy_is_well_formed(policy: Policy) -> None:
    assert re.fullmatch(r"PRV-[A-Z]+-\d{3}", policy.id)
    assert policy.title and not policy.title.endswith(".")
    assert len(policy.description) > 80 and policy.remediation.endswith(".")
    assert policy.enforcement in (Enforcement.MANDATORY, Enforcement.ADVISORY)
    assert policy.tags
    assert policy.docs_url == f"docs/policies.md#{policy.id.lower()}"


def test_every_rule_module_is_registered_exactly_once() -> None:
    in_modules = []
    for path in sorted(RULES.glob("*.py")):
        if path.name == "__init__.py":
            continue
        module = importlib.import_module(f"provision.policies.rules.{path.stem}")
        in_modules.append(module.POLICY)
    assert sorted(p.id for p in in_modules) == sorted(p.id for p in POLICIES)


def test_get_returns_the_policy_and_rejects_unknown_ids() -> None:
    assert get("PRV-RES-001").title == "Every region used stays inside the data residency"
    with pytest.raises(KeyError):
        get("PRV-RES-999")
