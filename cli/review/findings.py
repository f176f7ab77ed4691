"""Policy findings of BASE and HEAD, matched: new, fixed or still open.

Findings match on (rule, JSON path, message): line numbers move with every
edit, so they cannot say whether two findings are the same.
"""

from __future__ import annotations

from typing import Sequence

from provision.cli.review.model import FindingChange, FindingStatus
from provision.schemas.findings import Finding


def _key(finding: Finding) -> tuple:
    return (finding.rule, tuple(finding.path), finding.message)


def compare_findings(base: Sequence[Finding] | None, head: Sequence[Finding]) -> tuple[FindingChange, ...]:
    """HEAD's findings as new or open, then BASE's fixed ones; `base` None makes all open."""
    if base is None:
        return tuple(FindingChange(FindingStatus.OPEN, finding) for finding in _ordered(head))
    before = {_key(finding) for finding in base}
    after = {_key(finding) for finding in head}
    changes = [
        FindingChange(FindingStatus.OPEN if _key(finding) in before else FindingStatus.NEW, finding)
        for finding in _ordered(head)
    ]
    changes += [FindingChange(FindingStatus.FIXED, f) for f in _ordered(base) if _key(f) not in after]
    order = [FindingStatus.NEW, FindingStatus.OPEN, FindingStatus.FIXED]
    return tuple(sorted(changes, key=lambda change: order.index(change.status)))


def _ordered(findings: Sequence[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.line, f.column, f.rule, f.message))
