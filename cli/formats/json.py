"""The machine format: a stable JSON document for scripts and dashboards.

Schema, version 1 (keys are never renamed or removed within a version; new
keys may be added):

    {
      "version": 1,
      "tool": {"name": "provision", "version": "<package version>"},
      "files": [                         # sorted by file
        {
          "file": "plans/prod.yaml",     # as given on the command line or expanded
          "passed": false,               # no error and no mandatory finding
          "policyConfig": "plans/provision-policies.yaml",   # the config applied, or "defaults"
          "findings": [                  # sorted by line, column, rule
            {
              "line": 12, "column": 7,   # 1-based
              "rule": "PRV-RES-001",
              "level": "mandatory",      # error | mandatory | advisory | waived
              "title": "...", "message": "...", "fix": "...",
              "path": ["spec", "functions", "web"],   # JSON path in the plan
              "pointer": "/spec/functions/web",       # the same, as a JSON Pointer
              "docsUrl": "https://...",              # the rule's documentation in the repository
              "waiver": null                          # or {"expires": "2027-01-31", "approvedBy": "...",
                                                      #     "reason": "..."} for a waived finding
            }
          ]
        }
      ],
      "summary": {
        "files": 1, "errors": 0, "mandatory": 1, "advisory": 0, "waived": 0,
        "passed": false,
        "exitCode": 1,                   # what `provision validate` exits with
        "policyConfigs": ["plans/provision-policies.yaml"]   # every config applied, sorted
      }
    }
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from provision import __version__
from provision.cli.formats.base import (
    TOOL_NAME,
    ReportLike,
    Summary,
    docs_link,
    fails,
    ordered_findings,
    ordered_reports,
    policy_configs,
)
from provision.cli.formats.rules import title_of
from provision.schemas.findings import Finding

SCHEMA_VERSION = 1


class JsonFormatter:
    name = "json"

    def render(self, reports: Sequence[ReportLike]) -> str:
        return json.dumps(document(reports), indent=2, ensure_ascii=False) + "\n"


def document(reports: Sequence[ReportLike]) -> dict[str, Any]:
    """The report as plain data, in the version-1 schema above."""
    summary = Summary.of(reports)
    return {
        "version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "files": [_file(report) for report in ordered_reports(reports)],
        "summary": {
            "files": summary.files,
            "errors": summary.errors,
            "mandatory": summary.mandatory,
            "advisory": summary.advisory,
            "waived": summary.waived,
            "passed": summary.passed,
            "exitCode": summary.exit_code,
            "policyConfigs": policy_configs(reports),
        },
    }


def _file(report: ReportLike) -> dict[str, Any]:
    return {
        "file": report.file,
        "passed": not any(fails(finding) for finding in report.findings),
        "policyConfig": getattr(report, "policy_config", "defaults"),
        "findings": [_finding(finding) for finding in ordered_findings(report.findings)],
    }


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "line": finding.line,
        "column": finding.column,
        "rule": finding.rule,
        "level": finding.level.value,
        "title": title_of(finding),  # never empty
        "message": finding.message,
        "fix": finding.fix,
        "path": list(finding.path),
        "pointer": finding.json_pointer,
        "docsUrl": docs_link(finding),
        "waiver": None if finding.waiver is None else {
            "expires": finding.waiver.expires.isoformat(),
            "approvedBy": finding.waiver.approved_by,
            "reason": finding.waiver.reason,
        },
    }
