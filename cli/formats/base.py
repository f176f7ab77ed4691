"""What every output format shares: the formatter protocol, ordering and the summary.

Checks produce findings and formatters render them; a formatter never runs a
check and never decides anything a check did not say. Each takes the file
reports of one run and returns the whole report as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Protocol, Sequence
from urllib.parse import urljoin

from provision.schemas.findings import Finding, Level

TOOL_NAME = "provision"
TOOL_URL = "https://provision.dev"

# Exit codes of `provision validate`, most severe wins.
EXIT_CLEAN = 0  # no findings, or advisory/waived ones only
EXIT_MANDATORY = 1  # a mandatory policy is violated
EXIT_INVALID = 2  # a file is unreadable or invalid (or the command was misused)


class ReportLike(Protocol):
    """The part of `provision.cli.pipeline.FileReport` that formatters read."""

    file: str
    findings: list[Finding]


class Formatter(Protocol):
    """Renders the reports of one run; `name` is what `--format` accepts."""

    name: str

    def render(self, reports: Sequence[ReportLike]) -> str: ...


def ordered_reports(reports: Iterable[ReportLike]) -> list[ReportLike]:
    """Reports sorted by file name, so output does not depend on discovery order."""
    return sorted(reports, key=lambda report: report.file)


def ordered_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings sorted by file, line, column (then rule and message, for stability)."""
    return sorted(findings, key=Finding.sort_key)


def all_findings(reports: Iterable[ReportLike]) -> list[Finding]:
    return ordered_findings(finding for report in reports for finding in report.findings)


def fails(finding: Finding) -> bool:
    """True when the finding makes validation fail."""
    return finding.level in (Level.ERROR, Level.MANDATORY)


def absolute_url(url: str) -> str:
    """Documentation links are relative to the project site; viewers outside it need them whole."""
    return urljoin(TOOL_URL + "/", url) if url else ""


def policy_configs(reports: Iterable[ReportLike]) -> list[str]:
    """The policy configs the run applied (paths, or "defaults"), each once, sorted."""
    return sorted({getattr(report, "policy_config", "defaults") for report in reports})


def config_line(reports: Iterable[ReportLike]) -> str:
    """E.g. "Policy config: plans/provision-policies.yaml": which governance the verdict rests on."""
    configs = policy_configs(reports) or ["defaults"]
    return f"Policy config{'s' if len(configs) > 1 else ''}: {', '.join(configs)}"


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    return f"{count} {noun if count == 1 else (plural_noun or noun + 's')}"


@dataclass(frozen=True)
class Summary:
    """Counts of one run, and the verdict and exit code they imply."""

    files: int
    errors: int
    mandatory: int
    advisory: int
    waived: int

    @classmethod
    def of(cls, reports: Sequence[ReportLike]) -> Summary:
        levels = [finding.level for report in reports for finding in report.findings]
        return cls(
            files=len(reports),
            errors=levels.count(Level.ERROR),
            mandatory=levels.count(Level.MANDATORY),
            advisory=levels.count(Level.ADVISORY),
            waived=levels.count(Level.WAIVED),
        )

    @property
    def exit_code(self) -> int:
        if self.errors:
            return EXIT_INVALID
        if self.mandatory:
            return EXIT_MANDATORY
        return EXIT_CLEAN

    @property
    def passed(self) -> bool:
        return self.exit_code == EXIT_CLEAN

    @property
    def verdict(self) -> str:
        return "PASSED" if self.passed else "FAILED"

    def counts(self) -> str:
        """E.g. "1 error, 2 mandatory, 0 advisory, 0 waived in 3 files"."""
        return (
            f"{plural(self.errors, 'error')}, {self.mandatory} mandatory, "
            f"{self.advisory} advisory, {self.waived} waived in {plural(self.files, 'file')}"
        )

    def line(self) -> str:
        """The one-line summary every human-facing format ends with."""
        return f"{self.verdict}: {self.counts()}"
