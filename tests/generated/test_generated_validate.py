"""Every generated plan passes `provision validate`, and the fixed set covers what it must.

Fast (no engine): the CLI in process on many plans from the hypothesis
strategy, normal and with every name at the schema's maximum length, and on
the fixed-seed set that the engine tests run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

from provision.cli.main import cli
from tests.generated.mutations import mutations
from tests.generated.strategies import CHANGE_BASE, CI_SET, MAX_AZS, TYPES, ZONES, Knobs, plan_from_seed, plans, write_plan

MANY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOME = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "outsourcing-plan.v1.json"


def validate(document: dict, directory: Path) -> None:
    # Outside a git repository exit plans are looked up in the plan's directory (PRV-VEN-005).
    path = write_plan(document, directory / "plan.yaml")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0, f"{result.output}\n--- plan ---\n{path.read_text()}"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("generated")


@MANY
@given(plans())
def test_generated_plans_validate(workdir: Path, document: dict) -> None:
    validate(document, workdir)


@SOME
@given(plans(Knobs(types=TYPES, vendors=4, long_names=True, partners=2)))
def test_generated_plans_with_longest_names_validate(workdir: Path, document: dict) -> None:
    validate(document, workdir)


@pytest.mark.parametrize("seed,knobs", CI_SET, ids=[str(seed) for seed, _ in CI_SET])
def test_fixed_set_validates(workdir: Path, seed: int, knobs: Knobs) -> None:
    validate(plan_from_seed(seed, knobs), workdir)


@pytest.mark.parametrize("seed,knobs", [*CI_SET, CHANGE_BASE], ids=[str(seed) for seed, _ in [*CI_SET, CHANGE_BASE]])
def test_mutations_validate(workdir: Path, seed: int, knobs: Knobs) -> None:
    labels = []
    for label, document in mutations(plan_from_seed(seed, knobs)):
        validate(document, workdir)
        labels.append(label)
    assert {"rename", "add", "remove"} <= set(labels)


def test_change_base_gets_every_mutation() -> None:
    assert [label for label, _ in mutations(plan_from_seed(*CHANGE_BASE))] == ["move", "azs", "rename", "add", "remove"]


def _schema_max(pattern: str) -> int:
    """The longest string `pattern` (^x[set]{a,b}y?$ shapes) accepts, read from the schema itself."""
    counts = re.findall(r"\{(\d+),(\d+)\}", pattern)
    singles = len(re.sub(r"\[[^\]]*\]\{\d+,\d+\}", "", pattern.strip("^$")).replace("[a-z0-9]", "x").replace("[a-z]", "x"))
    return sum(int(b) for _, b in counts) + singles


def test_fixed_set_covers_the_required_shapes() -> None:
    schema = yaml.safe_load(SCHEMA.read_text())
    max_plan = _schema_max(schema["properties"]["metadata"]["properties"]["name"]["pattern"])
    max_function = _schema_max(schema["$defs"]["functionName"]["pattern"])
    max_provider = _schema_max(schema["$defs"]["providerName"]["pattern"])
    assert (max_plan, max_function, max_provider) == (40, 31, 31)
    documents = [plan_from_seed(seed, knobs) for seed, knobs in CI_SET]
    assert len(documents) >= 8
    functions = [f for d in documents for f in d["spec"]["functions"].items()]
    assert {f["type"] for _, f in functions} == set(TYPES)
    assert max(len(d["metadata"]["name"]) for d in documents) == max_plan
    assert max(len(name) for name, _ in functions) == max_function
    assert max(len(name) for d in documents for name in d["spec"]["providers"]) == max_provider
    assert max(sum(p["type"] != "cloud" for p in d["spec"]["providers"].values()) for d in documents) == 4
    assert max(len(f.get("dataExchange", {}).get("partners", ())) for _, f in functions) >= 2
    assert any("copyToRegion" in f.get("backup", {}) for _, f in functions)
    assert any(
        f.get("network", {}).get("azs") == len(ZONES[d["spec"]["region"]]) == MAX_AZS
        for d in documents
        for f in d["spec"]["functions"].values()
    )
    # Both vendor types, and the six-zone region's neighbours whose zones are not a, b, c.
    assert {p["type"] for d in documents for p in d["spec"]["providers"].values()} == {"cloud", "msp", "bpo"}
    assert {"ca-central-1", "ap-northeast-1"} & {d["spec"]["region"] for d in documents}
