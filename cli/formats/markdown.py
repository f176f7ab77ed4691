"""Markdown for pull-request comments: a verdict line, the counts, one table row per finding.

Cell text is escaped (GitHub-flavoured Markdown backslash escapes, after
plain.inert_markdown), so a plan's own text cannot break the table, inject links
or HTML, mention people, or reorder what the reviewer reads.
"""

from __future__ import annotations

import re
from typing import Sequence

from provision.cli.formats.base import ReportLike, Summary, all_findings, config_line, docs_link
from provision.cli.formats.plain import inert_markdown
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
    link = docs_link(finding)
    if link.startswith(("https://", "http://")):  # a relative link would break in a comment
        rule = f"[{rule}](<{link.replace('>', '%3E')}>)"
    cells = [
        f"{ICONS[finding.level]} {finding.level.value}",
        rule,
        escape(f"{finding.file}:{finding.line}:{finding.column}"),
        escape(finding.message),
        escape(finding.fix),
    ]
    return "| " + " | ".join(cells) + " |"


def escape(text: str) -> str:
    """Text safe inside a table cell: inert (see plain.py), on one line, punctuation escaped."""
    return _SPECIAL.sub(r"\\\1", inert_markdown(text))
