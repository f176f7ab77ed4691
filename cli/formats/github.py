"""GitHub Actions workflow commands: findings become annotations on the pull request.

    ::error file=plans/prod.yaml,line=12,col=7,title=PRV-RES-001::Function 'web' ...%0Afix: ...

Error and mandatory findings are `::error`, advisory `::warning`, waived
`::notice`. Values are escaped as the Actions runner expects: `%`, CR and LF
in the message; those plus `:` and `,` in properties. The last line is the
plain summary, which the log shows as is.
"""

from __future__ import annotations

from typing import Sequence

from provision.cli.formats.base import ReportLike, Summary, all_findings, config_line
from provision.cli.formats.plain import visible
from provision.schemas.findings import Finding, Level

COMMAND = {
    Level.ERROR: "error",
    Level.MANDATORY: "error",
    Level.ADVISORY: "warning",
    Level.WAIVED: "notice",
}


class GithubFormatter:
    name = "github"

    def render(self, reports: Sequence[ReportLike]) -> str:
        lines = [annotation(finding) for finding in all_findings(reports)]
        lines.append(config_line(reports))
        lines.append(Summary.of(reports).line())
        return "".join(line + "\n" for line in lines)


def annotation(finding: Finding) -> str:
    """One workflow command for one finding."""
    properties = {
        "file": finding.file,
        "line": str(finding.line),
        "col": str(finding.column),
        "title": finding.rule,
    }
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    message = f"{visible(finding.message)}\nfix: {visible(finding.fix)}" if finding.fix else visible(finding.message)
    return f"::{COMMAND[finding.level]} {rendered}::{escape_data(message)}"


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")
