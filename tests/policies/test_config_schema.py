"""The policy config's JSON Schema agrees with the parser, and the docs example is valid for both."""

from __future__ import annotations

import json
import pathlib
import re

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from provision.cli.main import cli
from provision.policies.config import PolicyConfigError, parse_config
from provision.policies.config_schema import config_schema

DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs" / "policy-config.md"


def validator() -> jsonschema.Draft202012Validator:
    schema = config_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_provision_schema_prints_it() -> None:
    result = CliRunner().invoke(cli, ["schema", "policy-config"])
    assert result.exit_code == 0
    assert json.loads(result.output) == config_schema()


def test_the_documented_example_is_valid_for_schema_and_parser() -> None:
    example = re.search(r"## Format\n\n```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S).group(1)
    assert list(validator().iter_errors(yaml.safe_load(example))) == []
    config = parse_config(example)
    assert config.residencies["nz"].countries == frozenset({"NZ"})


@pytest.mark.parametrize("text", [
    "rules: {}\n",
    "policies:\n  PRV-VEN-01: {enforcement: advisory}\n",
    "policies:\n  PRV-VEN-001: {enforcement: warn}\n",
    "policies:\n  PRV-VEN-001: {enforcement: off}\n",
    "policies:\n  PRV-VEN-001: {params: {maxCriticalPerVendor: three}}\n",
    "policies:\n  PRV-VEN-001: {params: {maxCritical: 3}}\n",
    "policies:\n  PRV-SLA-001: {params: {minAvailability: {critcal: 99.99}}}\n",
    "externalIdRefs: [vault:x]\n",
    "residencies:\n  eu: {regions: ['*'], countries: [US]}\n",
    "residencies:\n  nz: {regions: [ap-southeast-6], countries: [nz]}\n",
    "residencies:\n  nz: {regions: [ap-southeast-6]}\n",
])
def test_what_the_parser_refuses_the_schema_refuses(text: str) -> None:
    with pytest.raises(PolicyConfigError):
        parse_config(text)
    assert list(validator().iter_errors(yaml.safe_load(text))) != []
