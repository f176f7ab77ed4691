"""The residency table: the plan schema offers exactly the built-in residencies, and what each admits."""

from __future__ import annotations

import pytest

from provision.policies.residency import BUILTIN, national_within
from provision.schemas.schema_check import load_schema


def test_the_plan_schema_offers_the_built_in_residencies() -> None:
    offered = load_schema()["properties"]["spec"]["properties"]["dataResidency"]["examples"]
    assert sorted(offered) == sorted(BUILTIN)


@pytest.mark.parametrize(("name", "region", "allowed"), [
    ("uk", "eu-west-2", True), ("uk", "eu-west-1", True), ("uk", "eu-central-2", False), ("uk", "us-east-1", False),
    ("ch", "eu-central-2", True), ("ch", "eu-central-1", True), ("ch", "eu-west-2", False),
    ("eu", "eu-west-2", False), ("eu", "eu-north-1", True),
    ("au", "ap-southeast-2", True), ("au", "ap-southeast-4", True), ("au", "ap-southeast-1", False),
    ("jp", "ap-northeast-3", True), ("sg", "ap-southeast-1", True), ("in", "ap-south-2", True),
    ("ca", "ca-west-1", True), ("ca", "us-east-1", False), ("global", "me-south-1", True),
])
def test_regions(name: str, region: str, allowed: bool) -> None:
    assert BUILTIN[name].allows_region(region) is allowed


def test_national_residencies_inside_apac() -> None:
    assert national_within(BUILTIN["apac"]) == ["au", "in", "jp", "sg"]
