"""SARIF 2.1.0, for code-scanning UIs (GitHub, Azure DevOps, IDE viewers).

One run; `tool.driver.rules` lists every rule that produced a result, with the
policy catalogue's text where there is one. Levels: error and mandatory
findings are `error`, advisory `warning`, waived `note` with an accepted
in-source suppression (waivers live in the plan itself). Locations are URIs
relative to `%SRCROOT%` (the working directory) when the file lies under it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import quote

from provision import __version__
from provision.cli.formats.base import TOOL_NAME, ReportLike, all_findings, policy_configs, repository_url
from provision.cli.formats.plain import visible
from provision.cli.formats.rules import SARIF_LEVEL, RuleInfo, describe
from provision.schemas.findings import Finding, Level

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"


class SarifFormatter:
    name = "sarif"

    def __init__(self, *, base_dir: Path | None = None) -> None:
        self.base_dir = base_dir

    def render(self, reports: Sequence[ReportLike]) -> str:
        return json.dumps(self.log(reports), indent=2, ensure_ascii=False) + "\n"

    def log(self, reports: Sequence[ReportLike]) -> dict[str, Any]:
        """The SARIF log as plain data."""
        findings = all_findings(reports)
        by_rule: dict[str, list[Finding]] = defaultdict(list)
        for finding in findings:
            by_rule[finding.rule].append(finding)
        rules = [describe(rule, by_rule[rule]) for rule in sorted(by_rule)]
        index = {rule.id: position for position, rule in enumerate(rules)}
        base = self.base_dir or Path.cwd()
        return {
            "$schema": SARIF_SCHEMA_URI,
            "version": SARIF_VERSION,
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": TOOL_NAME,
                            "version": __version__,
                            "semanticVersion": __version__,
                            **({"informationUri": repository_url()} if repository_url() else {}),
                            "rules": [_rule(rule) for rule in rules],
                        }
                    },
                    "columnKind": "unicodeCodePoints",
                    # Which governance the results rest on (SARIF property bag).
                    "properties": {"policyConfigs": policy_configs(reports)},
                    "results": [_result(finding, index[finding.rule], base) for finding in findings],
                }
            ],
        }


def _rule(rule: RuleInfo) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.short},
        "fullDescription": {"text": rule.full},
        "help": {"text": rule.help},
        "helpUri": rule.help_uri,
        "defaultConfiguration": {"level": rule.default_level},
    }


def _result(finding: Finding, rule_index: int, base: Path) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": SARIF_LEVEL[finding.level],
        "message": {"text": visible(finding.message)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": artifact_location(finding.file, base),
                    # SARIF lines and columns start at 1; a file-level finding may say 0.
                    "region": {"startLine": max(finding.line, 1), "startColumn": max(finding.column, 1)},
                }
            }
        ],
        # SARIF's own `fixes` need file edits; the fix sentence is a property of its own.
        "properties": {"provisionLevel": finding.level.value, "jsonPointer": finding.json_pointer, "fix": visible(finding.fix)},
    }
    if finding.level is Level.WAIVED:
        result["suppressions"] = [{"kind": "inSource", "status": "accepted", "justification": visible(finding.message)}]
    return result


def artifact_location(file: str, base: Path) -> dict[str, str]:
    """A relative URI under %SRCROOT% when possible, else an absolute file URI."""
    path = Path(file)
    if path.is_absolute():
        try:
            path = path.relative_to(base)
        except ValueError:
            return {"uri": path.as_uri()}
    return {"uri": quote(path.as_posix(), safe="/"), "uriBaseId": SRCROOT}
