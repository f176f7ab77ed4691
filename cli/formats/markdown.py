"""Markdown for pull-request comments: a verdict line, the counts, one table row per finding.

Cell text is escaped (GitHub-flavoured Markdown backslash escapes), so a plan's
own text cannot break the table or inject links and HTML into the comment.
"""

from __future__ import annotations

import re
from typing import Sequence

from provision.cli.formats.base import ReportLike, Summary, absolute_url, all_findings, config_line
from provision.schemas.findings import Finding, Level

ICONS = {
    Level.ERROR: "❌",
    Level.MANDATORY: "❌",
    Level.ADVISORY: "⚠️",
    Level.WAIVED: "💤",
}
_SPECIAL = re.compile(r"([\\`*_\[\]<>|&~#!])")


class MarkdownFormatter:
    name = "markdown"

    def render(self, reports: Sequence[ReportLike]) -> str:
        summary = Summary.of(reports)
        findings = all_findings(reports)
        icon = "✅" if summary.passed else "❌"
        lines = [f"### {icon} provision validate: {summary.verdict}", "", summary.counts(), "",
                 escape(config_line(reports)), ""]
        if findings:
            lines += ["| Level | Rule | Location | Message | Fix |", "| --- | --- | --- | --- | --- |"]
            lines += [_row(finding) for finding in findings]
        else:
            lines.append("No findings.")
        return "\n".join(lines) + "\n"


def _row(finding: Finding) -> str:
    rule = escape(finding.rule)
    if finding.docs_url:
        rule = f"[{rule}](<{absolute_url(finding.docs_url).replace('>', '%3E')}>)"
    cells = [
        f"{ICONS[finding.level]} {finding.level.value}",
        rule,
        escape(f"{finding.file}:{finding.line}:{finding.column}"),
        escape(finding.message),
        escape(finding.fix),
    ]
    return "| " + " | ".join(cells) + " |"


def escape(text: str) -> str:
    """Text safe inside a table cell: punctuation escaped, line breaks as <br>."""
    return _SPECIAL.sub(r"\\\1", text).replace("\r\n", "\n").replace("\n", "<br>")
