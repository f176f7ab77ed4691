"""Output formats, on file reports built by hand."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import jsonschema
import pytest

from provision import __version__
from provision.cli.formats import registry
from provision.cli.formats.base import Summary
from provision.cli.formats.github import annotation, escape_data, escape_property
from provision.cli.formats.json import JsonFormatter
from provision.cli.formats.junit import JunitFormatter
from provision.cli.formats.markdown import MarkdownFormatter, escape
from provision.cli.formats.sarif import SarifFormatter, artifact_location
from provision.cli.formats.text import TextFormatter
from provision.schemas.findings import Finding, Level

REPO = Path(__file__).resolve().parents[1]
SARIF_SCHEMA = REPO / "tests/data/sarif-schema-2.1.0.json"


@dataclass
class Report:
    """Stands in for pipeline.FileReport: formatters read only file and findings."""

    file: str
    findings: list[Finding] = field(default_factory=list)
    plan: object = None
    positions: object = None


def finding(file: str, line: int, column: int, rule: str, level: Level, message: str, fix: str = "", **extra) -> Finding:
    return Finding(file, line, column, rule, level, message, fix, **extra)


MANDATORY = finding(
    "plans/a.yaml", 12, 7, "PRV-RES-001", Level.MANDATORY, "Function 'web' holds pii outside the EU.",
    "Move it to an EU region.", path=("spec", "functions", "web"), title="Data stays in region",
    docs_url="docs/policies.md#prv-res-001",
)
ADVISORY = finding("plans/a.yaml", 3, 1, "PRV-OPS-002", Level.ADVISORY, "No budget alert above 100%.", "Add 120 to alertThresholds.")
SYNTAX = finding("plans/b.yaml", 4, 2, "LOAD-SYNTAX", Level.ERROR, "mapping values are not allowed here", "Quote the value.", title="YAML syntax error")
WAIVED = finding("plans/c.yaml", 20, 5, "PRV-SEC-003", Level.WAIVED, "Vendor role allows ec2:*; waived until 2027-01-31.", "Narrow the actions.")


def sample() -> list[Report]:
    # Deliberately out of order: formatters sort.
    return [
        Report("plans/c.yaml", [WAIVED]),
        Report("plans/a.yaml", [MANDATORY, ADVISORY]),
        Report("plans/ok.yaml"),
        Report("plans/b.yaml", [SYNTAX]),
    ]


# -- summary and exit codes ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("levels", "exit_code", "line"),
    [
        ([], 0, "PASSED: 0 errors, 0 mandatory, 0 advisory, 0 waived in 1 file"),
        ([Level.ADVISORY, Level.WAIVED], 0, "PASSED: 0 errors, 0 mandatory, 1 advisory, 1 waived in 1 file"),
        ([Level.MANDATORY, Level.ADVISORY], 1, "FAILED: 0 errors, 1 mandatory, 1 advisory, 0 waived in 1 file"),
        ([Level.ERROR, Level.MANDATORY], 2, "FAILED: 1 error, 1 mandatory, 0 advisory, 0 waived in 1 file"),
        ([Level.ERROR, Level.ERROR], 2, "FAILED: 2 errors, 0 mandatory, 0 advisory, 0 waived in 1 file"),
    ],
)
def test_summary_counts_levels_and_picks_the_most_severe_exit_code(levels, exit_code, line):
    report = Report("p.yaml", [finding("p.yaml", 1, 1, "R", level, "m") for level in levels])
    summary = Summary.of([report])
    assert (summary.exit_code, summary.line()) == (exit_code, line)


# -- text ---------------------------------------------------------------------------------

EXPECTED_TEXT = """\
plans/a.yaml:3:1: ADVISORY PRV-OPS-002 No budget alert above 100%.
    fix: Add 120 to alertThresholds.
plans/a.yaml:12:7: MANDATORY PRV-RES-001 Function 'web' holds pii outside the EU.
    fix: Move it to an EU region.
plans/b.yaml:4:2: ERROR LOAD-SYNTAX mapping values are not allowed here
    fix: Quote the value.
plans/c.yaml:20:5: WAIVED PRV-SEC-003 Vendor role allows ec2:*; waived until 2027-01-31.
    fix: Narrow the actions.
Policy config: defaults
FAILED: 1 error, 1 mandatory, 1 advisory, 1 waived in 4 files
"""


def test_text_lists_findings_sorted_with_fixes_and_a_summary():
    assert TextFormatter().render(sample()) == EXPECTED_TEXT


def test_text_omits_the_fix_line_when_there_is_no_fix():
    report = Report("p.yaml", [finding("p.yaml", 2, 3, "XREF-PROVIDER", Level.ERROR, "Unknown provider 'x'.")])
    assert TextFormatter().render([report]) == (
        "p.yaml:2:3: ERROR XREF-PROVIDER Unknown provider 'x'.\n"
        "Policy config: defaults\n"
        "FAILED: 1 error, 0 mandatory, 0 advisory, 0 waived in 1 file\n"
    )


def test_text_quiet_prints_only_the_config_and_the_summary():
    assert TextFormatter(quiet=True).render(sample()) == "".join(EXPECTED_TEXT.splitlines(keepends=True)[-2:])


def test_text_colour_adds_ansi_codes_around_the_same_text():
    coloured = TextFormatter(color=True).render(sample())
    assert "\x1b[" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == EXPECTED_TEXT


def test_text_does_not_interpret_rich_markup_in_messages():
    report = Report("p.yaml", [finding("p.yaml", 1, 1, "SCHEMA", Level.ERROR, "[bold]x[/bold] is not allowed")])
    coloured = TextFormatter(color=True).render([report])
    assert "[bold]x[/bold] is not allowed" in re.sub(r"\x1b\[[0-9;]*m", "", coloured)


# -- json ---------------------------------------------------------------------------------

# The documented version-1 schema (cli/formats/json.py), held to exactly these keys.
JSON_V1 = json.loads((Path(__file__).parent / "golden/validate/json-report.v1.schema.json").read_text(encoding="utf-8"))


def test_json_matches_the_documented_version_1_schema():
    jsonschema.Draft202012Validator.check_schema(JSON_V1)
    validator = jsonschema.Draft202012Validator(JSON_V1)
    document = json.loads(JsonFormatter().render(sample()))
    validator.validate(document)
    # The schema is strict: a renamed or extra key would be caught.
    document["files"][0]["findings"][0]["severity"] = "high"
    assert not validator.is_valid(document)


def test_json_content():
    document = json.loads(JsonFormatter().render(sample()))
    assert document["tool"] == {"name": "provision", "version": __version__}
    assert [(f["file"], f["passed"], len(f["findings"])) for f in document["files"]] == [
        ("plans/a.yaml", False, 2),
        ("plans/b.yaml", False, 1),
        ("plans/c.yaml", True, 1),
        ("plans/ok.yaml", True, 0),
    ]
    assert document["files"][0]["findings"][1] == {
        "line": 12,
        "column": 7,
        "rule": "PRV-RES-001",
        "level": "mandatory",
        "title": "Data stays in region",
        "message": "Function 'web' holds pii outside the EU.",
        "fix": "Move it to an EU region.",
        "path": ["spec", "functions", "web"],
        "pointer": "/spec/functions/web",
        "docsUrl": "https://github.com/provision-iac/provision/blob/main/docs/policies.md#prv-res-001",
        "waiver": None,
    }
    assert document["summary"] == {
        "files": 4, "errors": 1, "mandatory": 1, "advisory": 1, "waived": 1, "passed": False, "exitCode": 2,
        "policyConfigs": ["defaults"],
    }


# -- sarif --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_validator():
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    return validator(schema, format_checker=validator.FORMAT_CHECKER)


@pytest.mark.parametrize("reports", [sample(), [Report("plans/ok.yaml")], []], ids=["findings", "clean", "empty"])
def test_sarif_is_valid_against_the_official_schema(sarif_validator, reports):
    log = json.loads(SarifFormatter().render(reports))
    errors = [error.message for error in sarif_validator.iter_errors(log)]
    assert errors == []
    # The schema wants absolute URIs here, a format jsonschema cannot check without extra packages.
    driver = log["runs"][0]["tool"]["driver"]
    for uri in [driver["informationUri"], *(rule["helpUri"] for rule in driver["rules"])]:
        assert urlparse(uri).scheme == "https" and urlparse(uri).netloc, uri
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1


def test_sarif_driver_and_rules():
    driver = SarifFormatter().log(sample())["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"], driver["informationUri"]) == ("provision", __version__, "https://github.com/provision-iac/provision")
    assert [rule["id"] for rule in driver["rules"]] == ["LOAD-SYNTAX", "PRV-OPS-002", "PRV-RES-001", "PRV-SEC-003"]
    syntax = driver["rules"][0]
    assert syntax == {
        "id": "LOAD-SYNTAX",
        "name": "LoadSyntax",
        "shortDescription": {"text": "YAML syntax error"},
        "fullDescription": {"text": "The file could not be read as one YAML plan."},
        "help": {"text": "The file could not be read as one YAML plan. Each result says how to fix it."},
        "helpUri": "https://github.com/provision-iac/provision/blob/main/docs/rules.md#load-syntax",
        "defaultConfiguration": {"level": "error"},
    }
    for rule in driver["rules"]:
        assert set(rule) == {"id", "name", "shortDescription", "fullDescription", "help", "helpUri", "defaultConfiguration"}


def test_sarif_results_levels_locations_and_suppressions():
    run = SarifFormatter().log(sample())["runs"][0]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    results = run["results"]
    assert [(r["ruleId"], r["level"], "suppressions" in r) for r in results] == [
        ("PRV-OPS-002", "warning", False),
        ("PRV-RES-001", "error", False),
        ("LOAD-SYNTAX", "error", False),
        ("PRV-SEC-003", "note", True),
    ]
    assert all(rules[r["ruleIndex"]] == r["ruleId"] for r in results)
    assert results[1]["message"] == {"text": "Function 'web' holds pii outside the EU."}
    assert results[1]["properties"]["fix"] == "Move it to an EU region."
    assert results[1]["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "plans/a.yaml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 12, "startColumn": 7},
            }
        }
    ]
    assert results[3]["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": WAIVED.message}
    ]


@pytest.mark.parametrize(
    ("file", "location"),
    [
        ("plans/my plan.yaml", {"uri": "plans/my%20plan.yaml", "uriBaseId": "%SRCROOT%"}),
        ("./plans/a.yaml", {"uri": "plans/a.yaml", "uriBaseId": "%SRCROOT%"}),
        ("/repo/plans/a.yaml", {"uri": "plans/a.yaml", "uriBaseId": "%SRCROOT%"}),
        ("/elsewhere/a.yaml", {"uri": "file:///elsewhere/a.yaml"}),
    ],
)
def test_sarif_artifact_locations_are_relative_to_the_base_when_possible(file, location):
    assert artifact_location(file, Path("/repo")) == location


def test_sarif_clamps_file_level_findings_to_line_one(sarif_validator):
    report = Report("p.yaml", [finding("p.yaml", 0, 0, "LOAD-IO", Level.ERROR, "Permission denied.")])
    log = SarifFormatter().log([report])
    assert log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"] == {"startLine": 1, "startColumn": 1}
    assert list(sarif_validator.iter_errors(log)) == []


# -- junit --------------------------------------------------------------------------------


def test_junit_parses_and_counts():
    root = ET.fromstring(JunitFormatter().render(sample()))
    assert root.tag == "testsuites"
    assert {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "5", "failures": "1", "errors": "1", "skipped": "2",
    }
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert list(suites) == ["plans/a.yaml", "plans/b.yaml", "plans/c.yaml", "plans/ok.yaml"]
    assert [(s.get("tests"), s.get("failures"), s.get("skipped")) for s in suites.values()] == [
        ("2", "1", "1"), ("1", "0", "0"), ("1", "0", "1"), ("1", "0", "0"),
    ]
    assert [s.get("errors") for s in suites.values()] == ["0", "1", "0", "0"]


def test_junit_failures_for_errors_and_mandatory_skipped_for_the_rest():
    root = ET.fromstring(JunitFormatter().render(sample()))
    cases = [(case.get("name"), [child.tag for child in case]) for case in root.iter("testcase")]
    assert cases == [
        ("PRV-OPS-002 at 3:1", ["skipped"]),
        ("PRV-RES-001 at 12:7", ["failure"]),
        ("LOAD-SYNTAX at 4:2", ["error"]),
        ("PRV-SEC-003 at 20:5", ["skipped"]),
        ("valid", []),
    ]
    failure = root.find(".//testcase[@name='PRV-RES-001 at 12:7']/failure")
    assert failure.get("type") == "PRV-RES-001"
    assert failure.get("message") == "MANDATORY Function 'web' holds pii outside the EU."
    assert failure.text == (
        "plans/a.yaml:12:7: MANDATORY PRV-RES-001 Function 'web' holds pii outside the EU.\nfix: Move it to an EU region."
    )


def test_junit_survives_markup_and_control_characters():
    message = "bad byte \x00 and <tag> & \"quotes\"\nsecond line"
    report = Report("p&q.yaml", [finding("p&q.yaml", 1, 1, "LOAD-BINARY", Level.ERROR, message)])
    root = ET.fromstring(JunitFormatter().render([report]))
    assert root.find("testsuite").get("name") == "p&q.yaml"
    assert root.find(".//error").get("message") == "ERROR bad byte \\u0000 and <tag> & \"quotes\"\\nsecond line"


# -- github -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "data", "prop"),
    [
        ("plain", "plain", "plain"),
        ("100%", "100%25", "100%25"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("k: v, w", "k: v, w", "k%3A v%2C w"),
        ("%0A", "%250A", "%250A"),
    ],
)
def test_github_escaping(value, data, prop):
    assert (escape_data(value), escape_property(value)) == (data, prop)


def test_github_annotation_for_each_level():
    assert GITHUB_LINES == [annotation(f) for f in (ADVISORY, MANDATORY, SYNTAX, WAIVED)]


GITHUB_LINES = [
    "::warning file=plans/a.yaml,line=3,col=1,title=PRV-OPS-002::No budget alert above 100%25.%0Afix: Add 120 to alertThresholds.",
    "::error file=plans/a.yaml,line=12,col=7,title=PRV-RES-001::Function 'web' holds pii outside the EU.%0Afix: Move it to an EU region.",
    "::error file=plans/b.yaml,line=4,col=2,title=LOAD-SYNTAX::mapping values are not allowed here%0Afix: Quote the value.",
    "::notice file=plans/c.yaml,line=20,col=5,title=PRV-SEC-003::Vendor role allows ec2:*; waived until 2027-01-31.%0Afix: Narrow the actions.",
]


def test_github_output_is_annotations_then_the_summary():
    output = registry.create("github").render(sample())
    assert output.splitlines() == GITHUB_LINES + [
        "Policy config: defaults", "FAILED: 1 error, 1 mandatory, 1 advisory, 1 waived in 4 files"]


def test_github_escapes_file_names_in_properties():
    odd = finding("dir,x/a:b.yaml", 1, 1, "SCHEMA", Level.ERROR, "m")
    assert annotation(odd) == "::error file=dir%2Cx/a%3Ab.yaml,line=1,col=1,title=SCHEMA::m"


# -- markdown -----------------------------------------------------------------------------


def test_markdown_table_with_verdict():
    assert MarkdownFormatter().render(sample()) == (
        "### ❌ provision validate: FAILED\n"
        "\n"
        "1 error, 1 mandatory, 1 advisory, 1 waived in 4 files\n"
        "\n"
        "Policy config: defaults\n"
        "\n"
        "| Level | Rule | Location | Message | Fix |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| ⚠️ advisory | [PRV-OPS-002](<https://github.com/provision-iac/provision/blob/main/docs/policies.md>) | plans/a.yaml:3:1 | No budget alert above 100%. | Add 120 to alertThresholds. |\n"
        "| ❌ mandatory | [PRV-RES-001](<https://github.com/provision-iac/provision/blob/main/docs/policies.md#prv-res-001>) | plans/a.yaml:12:7 "
        "| Function 'web' holds pii outside the EU. | Move it to an EU region. |\n"
        "| ❌ error | [LOAD-SYNTAX](<https://github.com/provision-iac/provision/blob/main/docs/rules.md#load-syntax>) | plans/b.yaml:4:2 | mapping values are not allowed here | Quote the value. |\n"
        "| 💤 waived | [PRV-SEC-003](<https://github.com/provision-iac/provision/blob/main/docs/policies.md>) | plans/c.yaml:20:5 | Vendor role allows ec2:\\*; waived until 2027-01-31. "
        "| Narrow the actions. |\n"
    )


def test_markdown_clean_run():
    assert MarkdownFormatter().render([Report("plans/ok.yaml")]) == (
        "### ✅ provision validate: PASSED\n\n0 errors, 0 mandatory, 0 advisory, 0 waived in 1 file\n\n"
        "Policy config: defaults\n\nNo findings.\n"
    )


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("a | b", "a \\| b"),
        ("line\nbreak", "line\\\\nbreak"),  # shown as line\nbreak: plan values stay on one line
        ("<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>"),
        ("[click](http://x)", "\\[click\\](http:\u200b//x)"),  # no autolink either
        ("use `*` never", "use \\`\\*\\` never"),
    ],
)
def test_markdown_escapes_cell_text(text, escaped):
    assert escape(text) == escaped


# -- registry -----------------------------------------------------------------------------


def test_registry_offers_every_format_by_name():
    assert registry.names() == ["text", "json", "sarif", "junit", "github", "markdown"]
    for name in registry.names():
        assert registry.create(name).name == name


def test_registry_passes_options_to_the_text_format():
    formatter = registry.create("text", registry.Options(quiet=True))
    assert formatter.render(sample()) == (
        "Policy config: defaults\nFAILED: 1 error, 1 mandatory, 1 advisory, 1 waived in 4 files\n")


def test_registry_rejects_unknown_formats():
    with pytest.raises(KeyError):
        registry.create("yaml")


def test_sarif_describes_catalogue_policies_from_the_catalogue():
    from provision.policies.registry import get

    policy = get("PRV-RES-001")
    report = Report("p.yaml", [MANDATORY, finding("p.yaml", 1, 1, "PRV-GOV-003", Level.WAIVED, "m")])
    rules = {rule["id"]: rule for rule in SarifFormatter().log([report])["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["PRV-RES-001"] == {
        "id": "PRV-RES-001",
        "name": "EveryRegionUsedStaysInsideTheDataResidency",
        "shortDescription": {"text": policy.title},
        "fullDescription": {"text": policy.description},
        "help": {"text": policy.remediation},
        "helpUri": "https://github.com/provision-iac/provision/blob/main/docs/policies.md#prv-res-001",
        "defaultConfiguration": {"level": "error"},
    }
    # The default level is the policy's enforcement, whatever happened to this finding.
    assert rules["PRV-GOV-003"]["defaultConfiguration"] == {"level": "warning"}
