"""The human format (the default): one line per finding, a fix hint, a summary.

    plans/prod.yaml:12:7: MANDATORY PRV-RES-001 Function 'web' stores pii outside the EU.
        fix: Move the function to an EU region or change spec.dataResidency.
    FAILED: 0 errors, 1 mandatory, 0 advisory, 0 waived in 1 file

Colour (via rich) only when the caller asks for it; the command asks only when
writing to a terminal and NO_COLOR is unset, so pipes and files get plain text.
"""

from __future__ import annotations

from typing import Sequence

from provision.cli.formats.base import ReportLike, Summary, all_findings, config_line
from provision.cli.formats.plain import visible
from provision.schemas.findings import Finding, Level

LEVEL_STYLES = {
    Level.ERROR: "bold red",
    Level.MANDATORY: "bold red",
    Level.ADVISORY: "yellow",
    Level.WAIVED: "dim",
}

# A line is a list of (segment, rich style) pairs; plain output joins the segments.
Line = list[tuple[str, str]]


class TextFormatter:
    name = "text"

    def __init__(self, *, color: bool = False, quiet: bool = False) -> None:
        self.color = color
        self.quiet = quiet  # only the summary line

    def render(self, reports: Sequence[ReportLike]) -> str:
        summary = Summary.of(reports)
        lines: list[Line] = []
        if not self.quiet:
            for finding in all_findings(reports):
                lines.extend(_finding_lines(finding))
        lines.append([(config_line(reports), "")])
        lines.append([(summary.line(), "bold green" if summary.passed else "bold red")])
        if self.color:
            return _ansi(lines)
        return "".join("".join(segment for segment, _ in line) + "\n" for line in lines)


def _finding_lines(finding: Finding) -> list[Line]:
    lines = [
        [
            (f"{visible(finding.file)}:{finding.line}:{finding.column}:", "bold"),
            (" ", ""),
            (finding.level.name, LEVEL_STYLES[finding.level]),
            (" ", ""),
            (finding.rule, "bold"),
            (f" {visible(finding.message)}", ""),
        ]
    ]
    if finding.fix:
        lines.append([("    fix: ", "cyan"), (visible(finding.fix), "")])
    return lines


def _ansi(lines: list[Line]) -> str:
    # rich is imported only when colour is wanted: plain runs stay light.
    from rich.console import Console
    from rich.text import Text

    console = Console(force_terminal=True, color_system="standard", width=10_000, highlight=False)
    with console.capture() as capture:
        for line in lines:
            console.print(Text.assemble(*line), soft_wrap=True)
    return capture.get()
