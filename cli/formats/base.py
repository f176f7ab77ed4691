"""What every output format shares: the formatter protocol, ordering and the summary.

Checks produce findings and formatters render them; a formatter never runs a
check and never decides anything a check did not say. Each takes the file
reports of one run and returns the whole report as text.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import Iterable, Protocol, Sequence
from urllib.parse import urljoin

from provision.policies.base import DOCS_PAGE
from provision.schemas.findings import Finding, Level

TOOL_NAME = "provision"
# Where the repository's files are browsed, for documentation links: by default the
# `Repository` of [project.urls] in pyproject.toml, on its main branch.
DOCS_URL_VARIABLE = "PROVISION_DOCS_URL"
# Loader, schema and cross-reference rules are documented here, one anchor per rule id.
RULES_PAGE = "docs/rules.md"

# Exit codes of `provision validate`, most severe wins.
EXIT_CLEAN = 0  # no findings, or advisory/waived ones only
EXIT_MANDATORY = 1  # a mandatory policy is violated
EXIT_INVALID = 2  # a file is unreadable or invalid (or the command was misused)


class ReportLike(Protocol):
    """The part of `provision.validation.pipeline.FileReport` that formatters read."""

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


def docs_base() -> str:
    """The URL that documentation paths (docs/policies.md#...) are relative to, ending in "/".

    $PROVISION_DOCS_URL overrides it, for a fork or a mirror hosted elsewhere, e.g.
    https://gitlab.example/acme/provision/-/blob/v1.2/ ; "" when neither is known.
    """
    override = os.environ.get(DOCS_URL_VARIABLE, "").strip()
    if override:
        return override.rstrip("/") + "/"
    repository = repository_url()
    return f"{repository}/blob/main/" if repository else ""


@functools.cache
def repository_url() -> str:
    """[project.urls] Repository of the installed package, without a trailing slash."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        urls = metadata(TOOL_NAME).get_all("Project-URL") or []
    except PackageNotFoundError:
        return ""
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "repository":
            return url.strip().rstrip("/")
    return ""


def docs_path(finding: Finding) -> str:
    """Where the finding's rule is documented, relative to the repository root (the catalogue
    itself for a policy this version does not know)."""
    if finding.docs_url:
        return finding.docs_url
    return DOCS_PAGE if finding.rule.startswith("PRV-") else f"{RULES_PAGE}#{finding.rule.lower()}"


def absolute_url(path: str) -> str:
    """A documentation path as a whole URL (viewers outside the repository need it whole)."""
    if not path or path.startswith(("https://", "http://")):
        return path
    base = docs_base()
    return urljoin(base, path) if base else path


def docs_link(finding: Finding) -> str:
    """The whole URL of the documentation of the finding's rule."""
    return absolute_url(docs_path(finding))


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
