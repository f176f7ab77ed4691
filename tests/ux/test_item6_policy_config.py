"""#19 item 6: the policy config is a documented format: its own JSON Schema, a docs page, located errors."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from tests.ux.conftest import TODAY

DOCS = Path(__file__).resolve().parents[2] / "docs" / "policy-config.md"


def test_item6_schema_policy_config_prints_a_json_schema_the_documented_example_meets(run) -> None:
    result = run("schema", "policy-config")
    schema = json.loads(result.stdout)
    assert result.exit_code == 0 and schema["title"] == "provision policy config (provision-policies.yaml)"
    jsonschema.Draft202012Validator.check_schema(schema)
    # The docs page's example config is valid under the printed schema (an independent checker: jsonschema).
    example = DOCS.read_text().split("```yaml", 1)[1].split("```", 1)[0]
    jsonschema.Draft202012Validator(schema).validate(yaml.safe_load(example))


def test_item6_enforcement_off_is_a_located_error_that_says_what_to_write(run, edited) -> None:
    plan = edited("saas-startup")
    config = plan.parent / "provision-policies.yaml"
    config.write_text("policies:\n  PRV-SUS-001:\n    enforcement: off\n")
    result = run("validate", plan, *TODAY)
    assert result.exit_code == 2
    assert result.stdout.splitlines()[0] == (
        f"{config}:3:18: ERROR POLICY-CONFIG The policy config is invalid: PRV-SUS-001: enforcement must be one of "
        "mandatory, advisory, disabled, not 'off' (YAML reads off as false); to switch the policy off, write "
        "enforcement: disabled."
    )
    assert f"Policy config: {config} (not applied: invalid)" in result.stdout


def test_item6_an_unknown_policy_id_names_the_closest(run, edited) -> None:
    plan = edited("saas-startup")
    (plan.parent / "provision-policies.yaml").write_text("policies:\n  PRV-SUS-01:\n    enforcement: advisory\n")
    result = run("validate", plan, *TODAY)
    assert result.exit_code == 2 and "PRV-SUS-001" in result.stdout.splitlines()[0], result.stdout
