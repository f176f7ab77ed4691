"""#19 item 10: output formats.

Documentation links of every format resolve to a file and heading of this
repository, through the repository URL of [project.urls] (overridable); JSON
gives every rule a title and carries waivers as fields; SARIF keeps message
and fix apart with relative URIs; JUnit counts invalid input as errors.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
REPOSITORY = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"]
TODAY = ["--today", "2026-12-01"]
WAIVER = (
    "  waivers:\n"
    "    - {policy: PRV-RES-001, function: backups, reason: US copy until the move, expires: 2027-01-31,\n"
    "       approvedBy: ciso@brightdesk.example}\n"
)
US_COPY = ("copyToRegion: eu-central-1", "copyToRegion: us-east-1")
DUPLICATE = ("    web:\n      type: hosting", "    web:\n      type: hosting\n      tier: standard")


def anchors(markdown: Path) -> set[str]:
    """GitHub's heading anchors of a markdown file: lower case, punctuation dropped, spaces as dashes."""
    found = set()
    for line in markdown.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            text = line.lstrip("#").strip().lower()
            found.add(re.sub(r"[^a-z0-9 _-]", "", text).replace(" ", "-"))
    return found


def resolves(url: str, base: str) -> bool:
    """`url` is base + a repository file that exists + one of its headings."""
    assert url.startswith(base), url
    path, _, fragment = url[len(base):].partition("#")
    return (ROOT / path).is_file() and fragment in anchors(ROOT / path)


def links(format_name: str, output: str) -> list[str]:
    if format_name == "json":
        return [f["docsUrl"] for file in json.loads(output)["files"] for f in file["findings"]]
    if format_name == "sarif":
        return [rule["helpUri"] for rule in json.loads(output)["runs"][0]["tool"]["driver"]["rules"]]
    return re.findall(r"\]\(<([^>]+)>\)", output)


@pytest.mark.parametrize("format_name", ["json", "sarif", "markdown"])
@pytest.mark.parametrize("override", [None, "https://git.example/acme/provision/-/blob/v2/"])
def test_item10_doc_links_resolve_in_the_repository(run, edited, monkeypatch, format_name, override) -> None:
    base = override or f"{REPOSITORY}/blob/main/"
    if override:
        monkeypatch.setenv("PROVISION_DOCS_URL", override)
    plans = [edited("saas-startup", US_COPY, name="policy"), edited("saas-startup", DUPLICATE, name="duplicate")]
    result = run("validate", *plans, "--format", format_name, *TODAY)
    found = links(format_name, result.stdout)
    assert len(found) >= 2 and all(resolves(url, base) for url in found), found
    assert "TOOL_URL" not in result.stdout and "provision.dev" not in result.stdout


def test_item10_json_titles_every_rule_and_carries_waivers(run, edited, tmp_path) -> None:
    waived = edited("saas-startup", US_COPY, name="waived")
    waived.write_text(waived.read_text() + WAIVER)
    duplicate = edited("saas-startup", DUPLICATE, name="duplicate")
    result = run("validate", waived, duplicate, "--format", "json", *TODAY)
    found = {f["rule"]: f for file in json.loads(result.stdout)["files"] for f in file["findings"]}
    assert sorted(found) == ["LOAD-DUPLICATE-KEY", "PRV-RES-001"]
    assert found["LOAD-DUPLICATE-KEY"]["title"] == "Duplicate key"
    assert found["PRV-RES-001"]["title"] != ""
    assert found["PRV-RES-001"]["waiver"] == {
        "expires": "2027-01-31", "approvedBy": "ciso@brightdesk.example", "reason": "US copy until the move",
    }
    assert found["LOAD-DUPLICATE-KEY"]["waiver"] is None


def test_item10_sarif_separates_message_and_fix_with_relative_uris(run, edited, monkeypatch, tmp_path) -> None:
    edited("saas-startup", US_COPY, name="policy")
    monkeypatch.chdir(tmp_path)
    result = run("validate", "policy.yaml", "--format", "sarif", *TODAY)
    [result_] = json.loads(result.stdout)["runs"][0]["results"]
    assert result_["message"] == {
        "text": "backup function 'backups' copies recovery points to us-east-1, outside data residency 'eu' "
                "(allowed: eu-* except eu-central-2, eu-west-2)"}
    assert result_["properties"]["fix"].startswith("Move spec.region or backup.copyToRegion")
    assert result_["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "policy.yaml", "uriBaseId": "%SRCROOT%"}


def test_item10_junit_counts_schema_errors_as_errors(run, edited) -> None:
    invalid = edited("saas-startup", ("environment: prod", "environment: 42"), name="invalid")
    violating = edited("saas-startup", US_COPY, name="violating")
    result = run("validate", invalid, violating, "--format", "junit", *TODAY)
    root = ET.fromstring(result.stdout)
    assert result.exit_code == 2
    assert {k: root.get(k) for k in ("tests", "errors", "failures", "skipped")} == {
        "tests": "2", "errors": "1", "failures": "1", "skipped": "0"}
    assert [(case.get("name"), [child.tag for child in case]) for case in root.iter("testcase")] == [
        ("SCHEMA at 13:16", ["error"]), ("PRV-RES-001 at 46:23", ["failure"])]
