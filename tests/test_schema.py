"""The plan JSON Schema: its shape, and the located, explained errors it yields."""

from __future__ import annotations

import json
import pathlib

import jsonschema
import pytest
from click.testing import CliRunner

from provision.cli.main import cli
from provision.schemas.loader import load_document
from provision.schemas.model import SECTION_OF_TYPE
from provision.schemas.schema_check import check_schema, load_schema, validator

SCHEMA_FILE = pathlib.Path(__file__).resolve().parents[1] / "schemas" / "outsourcing-plan.v1.json"

PLAN = """\
apiVersion: provision/v1
kind: OutsourcingPlan
metadata:
  name: schema-test
  owner: platform@example.com
spec:
  environment: prod
  region: eu-west-1
  dataResidency: eu
  providers:
    aws:
      type: cloud
    nightwatch:
      type: msp
      accountId: "210987654321"
      externalIdRef: env:NIGHTWATCH_EXTERNAL_ID
      country: IE
      contractEnds: 2028-03-31
  functions:
    web:
      type: hosting
      provider: aws
      tier: critical
      hosting:
        kind: static-site
  budget:
    monthlyUSD: 100
  waivers:
    - policy: PRV-RES-001
      reason: CDN edge caches outside the EU until the migration.
      expires: 2027-01-31
      approvedBy: ciso@example.com
"""


def errors(text: str) -> list[tuple[int, int, str, str]]:
    return [(f.line, f.column, f.message, f.fix) for f in check_schema(load_document(text, filename="p.yaml"))]


def edit(old: str, new: str) -> str:
    assert old in PLAN, old
    return PLAN.replace(old, new, 1)


def test_schema_is_valid_draft_2020_12_and_shipped_as_package_data() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert load_schema() == schema


def _object_schemas(node, where="#"):
    if isinstance(node, dict):
        if "properties" in node:
            yield where, node
        for key, value in node.items():
            if key not in ("if", "then"):  # conditions, not property definitions
                yield from _object_schemas(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _object_schemas(value, f"{where}/{index}")


def test_every_property_has_title_description_and_examples() -> None:
    missing = [
        f"{where}/properties/{name}"
        for where, obj in _object_schemas(load_schema())
        for name, prop in obj["properties"].items()
        if prop is not False and not {"title", "description", "examples"} <= set(prop)
    ]
    assert missing == []


def test_every_object_with_properties_rejects_unknown_keys() -> None:
    open_objects = [
        where for where, obj in _object_schemas(load_schema())
        if obj.get("type") == "object" and obj.get("additionalProperties") is not False
    ]
    assert open_objects == []


def test_the_reference_plan_and_its_dates_are_valid() -> None:
    assert errors(PLAN) == []
    assert errors(edit("contractEnds: 2028-03-31", 'contractEnds: "2028-03-31"')) == []


def test_validator_is_compiled_once() -> None:
    assert validator() is validator()


SECTIONS = {
    "hosting": "{kind: static-site}",
    "backup": "{protects: [web], rpoHours: 24, retentionDays: 35}",
    "securityMonitoring": "{services: [guardduty], alerts: {minSeverity: high, notify: [soc@example.com]}}",
    "network": "{cidr: 10.0.0.0/16}",
    "monitoring": "{watches: [web], notify: [oncall@example.com]}",
    "dataExchange": "{retentionDays: 30, partners: [nightwatch]}",
}


def _with_function(type_: str, sections: list[str]) -> str:
    body = "".join(f"      {name}: {SECTIONS[name]}\n" for name in sections)
    return edit("  budget:\n", f"    extra:\n      type: {type_}\n      provider: aws\n{body}  budget:\n")


@pytest.mark.parametrize(("type_", "section"), sorted(SECTION_OF_TYPE.items()))
def test_each_function_type_takes_its_own_section_and_no_other(type_: str, section: str) -> None:
    assert errors(_with_function(type_, [section])) == []
    other = next(s for s in SECTIONS if s != section)
    assert errors(_with_function(type_, [section, other])) == [(
        30, 7, f"`spec.functions.extra` is a `{type_}` function: it takes only the `{section}:` section, not `{other}:`.",
        f"Remove `{other}:`, or set `type: {next(t for t, s in SECTION_OF_TYPE.items() if s == other)}` "
        "if this function should be one.",
    )]
    [(line, column, message, fix)] = errors(_with_function(type_, []))
    assert (line, column) == (26, 5)
    assert message == f"`spec.functions.extra` is a `{type_}` function, so it needs a `{section}:` section."
    assert fix.startswith(f"Add `{section}:` under `spec.functions.extra`, e.g. `{section}: {{")


# (old, new, [(line, column, message, fix)])
MISTAKES = [
    ("      tier: critical", "      tier: gold", [(23, 13, "`spec.functions.web.tier` is `gold`, which is not one of the allowed values.",
                                                 "Use one of: critical, important, standard.")]),
    ("      type: hosting", "      type: hostin", [(21, 13, "`spec.functions.web.type` is `hostin`, which is not one of the allowed values.",
                                                  "Did you mean `hosting`? Use one of: hosting, backup, security-monitoring, "
                                                  "network, monitoring, data-exchange.")]),
    ("  region: eu-west-1", "  regoin: eu-west-1", [(8, 3, "Unknown key `regoin` in `spec`.", "Did you mean `region`?")]),
    ("        kind: static-site", "        kind: static-site\n        cache: yes",
     [(26, 9, "Unknown key `cache` in `spec.functions.web.hosting`.",
       "Remove it; `spec.functions.web.hosting` takes: kind, priceClass, indexDocument.")]),
    ("      provider: aws\n", "", [(20, 5, "`spec.functions.web` is missing the required key `provider`.",
                                   "Add `provider:` under `spec.functions.web`, e.g. `provider: aws`.")]),
    ("apiVersion: provision/v1\n", "", [(1, 1, "`the top level` is missing the required key `apiVersion`.",
                                        "Add `apiVersion:` at the top level, e.g. `apiVersion: provision/v1`.")]),
    ('      accountId: "210987654321"', "      accountId: 210987654321",
     [(15, 18, "`spec.providers.nightwatch.accountId` must be text, but YAML read `210987654321` as a number.",
       'Quote it: `accountId: "210987654321"`.')]),
    ("      country: IE", "      country: NO",
     [(17, 16, "`spec.providers.nightwatch.country` must be text, but YAML read `NO` as the boolean false.",
       'Quote it: `country: "NO"`.')]),
    ("      contractEnds: 2028-03-31", "      contractEnds: next spring",
     [(18, 21, "`spec.providers.nightwatch.contractEnds`: `next spring` is not a real date.",
       "Write an existing date as YYYY-MM-DD, such as 2027-01-31.")]),
    ("      expires: 2027-01-31", "      expires: 2027-02-29",
     [(31, 16, "`spec.waivers[0].expires`: `2027-02-29` is not a real date.",
       "Write an existing date as YYYY-MM-DD, such as 2027-01-31.")]),
    ('      externalIdRef: env:NIGHTWATCH_EXTERNAL_ID\n', "",
     [(13, 5, "`spec.providers.nightwatch` is an external provider (msp), so it needs `externalIdRef`: "
              "its least-privilege role lives in the vendor's account.",
       "Add `externalIdRef:` under `spec.providers.nightwatch`, e.g. `externalIdRef: env:NIGHTWATCH_EXTERNAL_ID`.")]),
    ("      externalIdRef: env:NIGHTWATCH_EXTERNAL_ID", "      externalIdRef: s3cr3t-value",
     [(16, 22, "`spec.providers.nightwatch.externalIdRef`: `s3cr3t-value` is not valid. An external id reference is "
               "env:VAR, ssm:/parameter/name or secretsmanager:name, never the secret itself.",
       "Write a value such as `env:NIGHTWATCH_EXTERNAL_ID`.")]),
    ("      type: cloud", "      type: cloud\n      accountId: \"123456789012\"",
     [(13, 7, "`accountId` is only for external providers (msp, bpo); `spec.providers.aws` is `cloud`.",
       "Remove `accountId:`, or set `type: msp` or `type: bpo` if this provider is an outside vendor.")]),
    ("    web:", "    Web_Site:", [(20, 5, "`Web_Site` is not a valid name in `spec.functions`. A function name starts with a "
                                          "lowercase letter and has up to 31 lowercase letters, digits and hyphens, such as "
                                          "web or claims-exchange.", "Rename `Web_Site` to a name such as `web`.")]),
    ("    monthlyUSD: 100", "    monthlyUSD: 0", [(27, 17, "`spec.budget.monthlyUSD` is 0, out of range.",
                                                  "Use a number greater than 0 and at most 1000000000.")]),
    ("    monthlyUSD: 100", "    monthlyUSD: 100\n    alertThresholds: [80, 80]",
     [(28, 22, "`spec.budget.alertThresholds` lists `80` more than once.", "Remove the repeated item.")]),
    ("apiVersion: provision/v1", "apiVersion: provision/v2",
     [(1, 13, "`apiVersion` must be `provision/v1`, not `provision/v2`.", "Write `apiVersion: provision/v1`.")]),
    ("      hosting:\n        kind: static-site", "      hosting: static-site",
     [(24, 16, "`spec.functions.web.hosting` must be a mapping of keys, not text.",
       "Write a mapping of keys here, e.g. `hosting: {kind: static-site}`.")]),
    ("  providers:\n", "  providers: {}\n  unused:\n", [  # the best (shallowest) error first
        (11, 3, "Unknown key `unused` in `spec`.",
         "Remove it; `spec` takes: environment, region, dataResidency, compliance, providers, functions, budget, waivers."),
        (10, 14, "`spec.providers` needs at least 1 entry.", "Add an entry, e.g. `providers: {aws: {type: cloud}}`."),
    ]),
]


@pytest.mark.parametrize(("old", "new", "expected"), MISTAKES, ids=lambda v: str(v)[:30])
def test_schema_mistakes_are_located_and_explained(old: str, new: str, expected: list) -> None:
    assert errors(edit(old, new)) == expected


def test_all_errors_are_reported_best_first_then_by_path() -> None:
    text = edit("      tier: critical", "      tier: gold").replace("  region: eu-west-1", "  region: mars")
    text = text.replace("kind: OutsourcingPlan\n", "")
    found = errors(text)
    assert [(line, message.split(" ")[0]) for line, _, message, _ in found] == [
        (1, "`the"),  # missing `kind`: the shallowest, most relevant error
        (22, "`spec.functions.web.tier`"),  # then by JSON path
        (7, "`spec.region`:"),
    ]


def test_sections_of_the_wrong_type_hide_their_own_details() -> None:
    # `backup` under a hosting function is wrong as a whole; its missing keys are noise.
    text = edit("      hosting:\n        kind: static-site", "      backup: {kind: static-site}")
    assert [message for _, _, message, _ in errors(text)] == [
        "`spec.functions.web` is a `hosting` function, so it needs a `hosting:` section.",
        "`spec.functions.web` is a `hosting` function: it takes only the `hosting:` section, not `backup:`.",
    ]


def test_schema_command_prints_the_schema() -> None:
    result = CliRunner().invoke(cli, ["schema"])
    assert (result.exit_code, result.output) == (0, SCHEMA_FILE.read_text(encoding="utf-8"))
    assert "Point a plan at the" in CliRunner().invoke(cli, ["schema", "--help"]).output
