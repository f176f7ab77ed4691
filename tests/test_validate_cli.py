"""`provision validate` end to end through click: arguments, formats, exit codes, files."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from provision.cli.commands import validate as validate_module
from provision.cli.main import cli
from provision.validation import pipeline
from tests.examples import write_exit_plan

REPO = Path(__file__).resolve().parents[1]
SARIF_SCHEMA = REPO / "tests/data/sarif-schema-2.1.0.json"

HEADER = """\
apiVersion: provision/v1
kind: OutsourcingPlan
metadata: {name: NAME, owner: platform@example.com}
spec:
"""
SITE = """\
  region: eu-west-1
  dataResidency: eu
  providers:
    aws: {type: cloud}
  functions:
    site: {type: hosting, provider: aws, hosting: {kind: static-site}}
"""
PLANS = {
    "clean.yaml": (REPO / "examples/saas-startup.yaml").read_text(encoding="utf-8"),
    # prod without a budget: PRV-BUD-001 (mandatory)
    "mandatory.yaml": HEADER.replace("NAME", "mandatory-plan") + "  environment: prod\n" + SITE,
    # dev without a budget: PRV-BUD-002 (advisory)
    "advisory.yaml": HEADER.replace("NAME", "advisory-plan") + "  environment: dev\n" + SITE,
    "waived.yaml": HEADER.replace("NAME", "waived-plan") + "  environment: prod\n" + SITE
    + "  waivers:\n"
    + "    - {policy: PRV-BUD-001, reason: Budget agreed next quarter, expires: 2026-09-30, approvedBy: cfo@example.com}\n",
    "broken.yaml": HEADER.replace("NAME", "broken-plan") + "  environment: prod\n  region: eu-west-1: x\n",
    "invalid.yaml": HEADER.replace("NAME", "invalid-plan") + "  environment: production\n  dataResidancy: eu\n"
    + SITE.replace("  dataResidency: eu\n", ""),
}
PASS_LINE = "PASSED: 0 errors, 0 mandatory, 0 advisory, 0 waived in 1 file\n"


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A directory holding the plans above, as the working directory, so reports show relative names."""
    (tmp_path / ".git").mkdir()  # stops the search for provision-policies.yaml here
    write_exit_plan(tmp_path, "nightwatch")  # the exit plan clean.yaml names
    for name, text in PLANS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(cli, ["validate", *args])


# -- exit codes and what is said ----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "fragment", "exit_code"),
    [
        (["clean.yaml"], PASS_LINE, 0),
        (["advisory.yaml"], "ADVISORY PRV-BUD-002 dev plan 'advisory-plan' declares no spec.budget", 0),
        (["waived.yaml", "--today", "2026-06-01"], "PASSED: 0 errors, 0 mandatory, 0 advisory, 1 waived in 1 file", 0),
        (["waived.yaml", "--today", "2026-10-01"], "MANDATORY PRV-GOV-001 waiver of PRV-BUD-001 expired on 2026-09-30", 1),
        (["mandatory.yaml"], "mandatory.yaml:4:1: MANDATORY PRV-BUD-001 prod plan 'mandatory-plan' declares no spec.budget", 1),
        (["broken.yaml"], "broken.yaml:6:20: ERROR LOAD-SYNTAX", 2),
        (["invalid.yaml"], "ERROR SCHEMA Unknown key `dataResidancy` in `spec`.", 2),
        (["mandatory.yaml", "broken.yaml"], "FAILED: 1 error, 1 mandatory, 0 advisory, 0 waived in 2 files", 2),
        (["-q", "mandatory.yaml"], "FAILED: 0 errors, 1 mandatory, 0 advisory, 0 waived in 1 file", 1),
        (["missing.yaml"], "Error: 'missing.yaml' does not exist.", 2),
        (["nowhere/*.yaml"], "Error: 'nowhere/*.yaml' matches no plan files.", 2),
        ([], "Error: Missing argument 'PATH...'.", 2),
        (["-f", "yaml", "clean.yaml"], "Error: Invalid value for '-f' / '--format': 'yaml' is not one of", 2),
        (["--today", "2026-13-01", "clean.yaml"], "Error: Invalid value for '--today': '2026-13-01' does not match", 2),
        (["--policy-config", "absent.yaml", "clean.yaml"], "Error: Invalid value for '--policy-config': File 'absent.yaml' does not exist.", 2),
        (["--bogus", "clean.yaml"], "Error: No such option '--bogus'.", 2),
    ],
)
def test_exit_codes_and_messages(workdir, args, fragment, exit_code):
    result = run(*args)
    assert fragment in result.output
    assert result.exit_code == exit_code
    assert "Traceback" not in result.output


def test_text_output_is_exact_for_a_small_invalid_plan(workdir):
    result = run("invalid.yaml")
    assert result.output == (
        "invalid.yaml:5:16: ERROR SCHEMA `spec.environment` is `production`, which is not one of the allowed values.\n"
        "    fix: Use one of: dev, test, staging, prod.\n"
        "invalid.yaml:6:3: ERROR SCHEMA Unknown key `dataResidancy` in `spec`.\n"
        "    fix: Did you mean `dataResidency`?\n"
        "Policy config: defaults\n"
        "FAILED: 2 errors, 0 mandatory, 0 advisory, 0 waived in 1 file\n"
    )
    assert result.exit_code == 2


def test_quiet_prints_only_the_summary(workdir):
    assert run("-q", "mandatory.yaml", "advisory.yaml").output == (
        "Policy config: defaults\n"
        "FAILED: 0 errors, 1 mandatory, 1 advisory, 0 waived in 2 files\n"
    )


def test_every_file_and_every_problem_is_reported(workdir):
    result = run("broken.yaml", "clean.yaml", "invalid.yaml", "mandatory.yaml", "advisory.yaml")
    reported = {line.split(":", 1)[0] for line in result.output.splitlines() if ".yaml:" in line}
    assert reported == {"broken.yaml", "invalid.yaml", "mandatory.yaml", "advisory.yaml"}
    assert result.output.endswith("FAILED: 3 errors, 1 mandatory, 1 advisory, 0 waived in 5 files\n")  # 1 + 2 errors
    assert result.exit_code == 2


def test_a_crash_on_one_file_becomes_a_finding_for_that_file(workdir, monkeypatch):
    real = pipeline.check_references

    def explode(plan, document):
        if plan.name == "advisory-plan":
            raise RuntimeError("boom")
        return real(plan, document)

    monkeypatch.setattr(pipeline, "check_references", explode)
    result = run("advisory.yaml", "mandatory.yaml")
    assert "advisory.yaml:1:1: ERROR INTERNAL-ERROR provision could not check this file: RuntimeError: boom" in result.output
    assert "mandatory.yaml:4:1: MANDATORY PRV-BUD-001" in result.output
    assert "Traceback" not in result.output
    assert result.exit_code == 2


# -- --today and --policy-config ----------------------------------------------------------


def test_today_decides_whether_a_waiver_still_holds(workdir):
    before = run("--today", "2026-06-01", "-f", "json", "waived.yaml")
    after = run("--today", "2026-10-01", "-f", "json", "waived.yaml")
    levels = lambda result: [(f["rule"], f["level"]) for f in json.loads(result.output)["files"][0]["findings"]]
    assert levels(before) == [("PRV-BUD-001", "waived")]
    assert levels(after) == [("PRV-BUD-001", "mandatory"), ("PRV-GOV-001", "mandatory")]


def test_policy_config_overrides_enforcement(workdir):
    (workdir / "relaxed.yaml").write_text("policies:\n  PRV-BUD-001:\n    enforcement: advisory\n", encoding="utf-8")
    result = run("--policy-config", "relaxed.yaml", "mandatory.yaml")
    assert "ADVISORY PRV-BUD-001" in result.output
    assert result.exit_code == 0


def test_an_invalid_policy_config_is_a_usage_error(workdir):
    (workdir / "typo.yaml").write_text("policies:\n  PRV-BUD-101:\n    enforcement: advisory\n", encoding="utf-8")
    result = run("--policy-config", "typo.yaml", "clean.yaml")
    assert "Error: Invalid value for '--policy-config': typo.yaml:2:3: unknown policy id 'PRV-BUD-101' (did you mean PRV-BUD-001?)" in result.output
    assert result.exit_code == 2


# -- directories and globs ----------------------------------------------------------------


@pytest.fixture
def tree(workdir):
    plans = workdir / "plans"
    (plans / "team").mkdir(parents=True)
    (plans / ".drafts").mkdir()
    (plans / "site.yaml").write_text(PLANS["clean.yaml"], encoding="utf-8")
    (plans / "team" / "prod.yaml").write_text(PLANS["mandatory.yaml"], encoding="utf-8")
    (plans / ".drafts" / "wip.yaml").write_text(PLANS["broken.yaml"], encoding="utf-8")  # hidden: skipped
    (plans / "ci.yaml").write_text("name: build\non: push\n", encoding="utf-8")  # not a plan: skipped
    return plans


@pytest.mark.parametrize(
    ("args", "files", "exit_code"),
    [
        (["plans"], ["plans/site.yaml", "plans/team/prod.yaml"], 1),
        (["plans/*.yaml"], ["plans/site.yaml"], 0),
        (["plans/**/*.yaml"], ["plans/site.yaml", "plans/team/prod.yaml"], 1),
        (["plans/team", "plans/team/prod.yaml"], ["plans/team/prod.yaml"], 1),  # no repeats
    ],
)
def test_directories_and_globs(tree, args, files, exit_code):
    result = run("-f", "json", *args)
    assert [entry["file"] for entry in json.loads(result.output)["files"]] == sorted(files)
    assert result.exit_code == exit_code


def test_a_directory_without_plans_is_a_usage_error(tree):
    (tree / "empty").mkdir()
    result = run("plans/empty")
    assert "Error: 'plans/empty' holds no plan files" in result.output
    assert result.exit_code == 2


# -- formats ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "fragment"),
    [
        ("text", "mandatory.yaml:4:1: MANDATORY PRV-BUD-001 prod plan 'mandatory-plan' declares no spec.budget\n"),
        ("json", '"exitCode": 1'),
        ("sarif", '"ruleId": "PRV-BUD-001"'),
        ("junit", '<failure type="PRV-BUD-001" message="MANDATORY prod plan'),
        ("github", "::error file=mandatory.yaml,line=4,col=1,title=PRV-BUD-001::prod plan 'mandatory-plan' declares no spec.budget%0Afix: "),
        ("github", "::warning file=advisory.yaml,line=4,col=1,title=PRV-BUD-002::dev plan"),
        ("markdown", "### ❌ provision validate: FAILED"),
        ("markdown", "| ⚠️ advisory | [PRV-BUD-002](<https://github.com/provision-iac/provision/blob/main/docs/policies.md#prv-bud-002>) | advisory.yaml:4:1 |"),
    ],
)
def test_every_format(workdir, fmt, fragment):
    result = run("--format", fmt, "mandatory.yaml", "advisory.yaml")
    assert fragment in result.output
    assert result.exit_code == 1


def test_json_report_has_stable_top_level_keys(workdir):
    document = json.loads(run("-f", "json", "clean.yaml").output)
    assert list(document) == ["version", "tool", "files", "summary"]
    assert document["version"] == 1
    assert document["summary"] == {
        "files": 1, "errors": 0, "mandatory": 0, "advisory": 0, "waived": 0, "passed": True, "exitCode": 0,
        "policyConfigs": ["defaults"],
    }


def test_sarif_of_every_example_is_valid(monkeypatch):
    monkeypatch.chdir(REPO)
    result = run("-f", "sarif", "examples")
    log = json.loads(result.output)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert [error.message for error in validator.iter_errors(log)] == []
    results = log["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"LOAD-SYNTAX", "SCHEMA", "XREF-PROVIDER", "PRV-GOV-001"}
    assert all(not r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("/") for r in results)
    assert result.exit_code == 2


def test_junit_of_every_example_parses(monkeypatch):
    monkeypatch.chdir(REPO)
    root = ET.fromstring(run("-f", "junit", "examples").output)
    suites = root.findall("testsuite")
    assert "examples/saas-startup.yaml" in [suite.get("name") for suite in suites]
    assert int(root.get("failures")) == sum(int(suite.get("failures")) for suite in suites) > 0


# -- --output -----------------------------------------------------------------------------


def test_output_writes_the_report_to_a_file(workdir):
    (workdir / "reports").mkdir()
    result = run("-f", "sarif", "-o", "reports/out.sarif", "mandatory.yaml")
    assert result.stdout == ""
    assert result.stderr == (
        "Wrote the sarif report to reports/out.sarif. FAILED: 0 errors, 1 mandatory, 0 advisory, 0 waived in 1 file\n"
    )
    assert result.exit_code == 1
    assert (workdir / "reports/out.sarif").read_text(encoding="utf-8") == run("-f", "sarif", "mandatory.yaml").stdout
    assert os.listdir(workdir / "reports") == ["out.sarif"]  # no temporary file left behind


def test_output_replaces_an_existing_report(workdir):
    (workdir / "report.txt").write_text("old", encoding="utf-8")
    assert run("-o", "report.txt", "clean.yaml").exit_code == 0
    assert (workdir / "report.txt").read_text(encoding="utf-8") == "Policy config: defaults\n" + PASS_LINE


def test_output_keeps_the_old_report_when_writing_fails(workdir, monkeypatch):
    (workdir / "report.txt").write_text("old", encoding="utf-8")

    def refuse(source, target):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(validate_module.os, "replace", refuse)
    result = run("-o", "report.txt", "clean.yaml")
    assert "Error: Invalid value for '--output': cannot write 'report.txt': Permission denied." in result.output
    assert result.exit_code == 2
    assert (workdir / "report.txt").read_text(encoding="utf-8") == "old"
    assert sorted(os.listdir(workdir)) == sorted([".git", "docs", "report.txt", *PLANS])


def test_output_into_a_missing_directory_is_a_usage_error(workdir):
    result = run("-o", "nowhere/report.json", "clean.yaml")
    assert "Error: Invalid value for '--output': directory 'nowhere' does not exist." in result.output
    assert result.exit_code == 2


# -- colour -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("terminal", "no_color", "coloured"),
    [(True, None, True), (True, "1", False), (False, None, False), (True, "", True)],
)
def test_colour_only_on_a_terminal_without_no_color(workdir, monkeypatch, terminal, no_color, coloured):
    monkeypatch.setattr(validate_module, "_stdout_is_terminal", lambda: terminal)
    if no_color is not None:
        monkeypatch.setenv("NO_COLOR", no_color)
    result = CliRunner().invoke(cli, ["validate", "mandatory.yaml"], color=True)
    assert ("\x1b[" in result.output) is coloured


def test_a_report_file_never_gets_colour(workdir, monkeypatch):
    monkeypatch.setattr(validate_module, "_stdout_is_terminal", lambda: True)
    run("-o", "report.txt", "mandatory.yaml")
    assert "\x1b[" not in (workdir / "report.txt").read_text(encoding="utf-8")


# -- imports ------------------------------------------------------------------------------


def test_validate_imports_neither_pulumi_nor_boto3():
    code = textwrap.dedent("""\
        import sys
        from click.testing import CliRunner
        from provision.cli.main import cli
        result = CliRunner().invoke(cli, ["validate", "-f", "sarif", "examples"])
        heavy = sorted({name.split(".")[0] for name in sys.modules} & {"pulumi", "boto3", "botocore", "moto"})
        print(result.exit_code, heavy)
    """)
    output = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert output == "2 []\n"


def test_validate_imports_only_the_format_it_prints():
    code = textwrap.dedent("""\
        import sys
        from click.testing import CliRunner
        from provision.cli.main import cli
        result = CliRunner().invoke(cli, ["validate", "examples/saas-startup.yaml"])
        formats = sorted(n.rsplit(".", 1)[1] for n in sys.modules if n.startswith("provision.cli.formats."))
        print(result.exit_code, formats)
    """)
    output = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert output == "0 ['base', 'plain', 'registry', 'text']\n"


def test_help_teaches_exit_codes_and_examples():
    output = CliRunner().invoke(cli, ["validate", "--help"]).output
    for fragment in (
        "0  no findings, or only advisory and waived ones",
        "1  a mandatory policy is violated",
        "2  a file is unreadable or invalid, or the command was misused",
        "provision validate plans/ --format sarif -o provision.sarif",
        "[text|json|sarif|junit|github|markdown]",
    ):
        assert fragment in output


# -- pre-commit hook ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "matched"),
    [
        ("plans/prod.yaml", True),
        ("infra/plans/team/dev.yml", True),
        (".github/workflows/ci.yml", False),
        ("provision-policies.yaml", False),
        ("plans/README.md", False),
    ],
)
def test_pre_commit_hook_runs_validate_on_plans(path, matched):
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert (hook["id"], hook["entry"], hook["language"]) == ("provision-validate", "provision validate", "python")
    assert bool(re.search(hook["files"], path)) is matched
