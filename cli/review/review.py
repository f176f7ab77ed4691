"""Build a Review from the two loaded versions of a plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Protocol, Sequence

from provision.cli.review.access import access_changes, access_deltas, vendor_docs
from provision.cli.review.concentration import concentration
from provision.cli.review.costs import cost_review
from provision.cli.review.findings import compare_findings
from provision.cli.review.model import Change, FunctionSummary, Review
from provision.cli.review.semantic import diff_plans
from provision.cli.review.waivers import waiver_notes
from provision.schemas.findings import Finding, Level
from provision.schemas.model import Plan
from provision.validation.errors import InputError


class InvalidPlan(InputError):
    """A side of the review is not a valid plan; the message lists its first errors."""


class ReportLike(Protocol):
    """The part of provision.validation.pipeline.FileReport a review reads."""

    file: str
    findings: list[Finding]
    plan: Plan | None


@dataclass(frozen=True)
class Side:
    """One version of a plan, loaded and checked."""

    source: str  # as given: "plans/prod.yaml", "git:origin/main:plans/prod.yaml"
    plan: Plan
    findings: tuple[Finding, ...]

    @classmethod
    def from_report(cls, report: ReportLike, source: str | None = None) -> Side:
        """The side a validate report describes; InvalidPlan when the plan is unusable."""
        source = source or report.file
        findings = tuple(replace(finding, file=source) for finding in report.findings)
        errors = [finding for finding in findings if finding.level is Level.ERROR]
        if report.plan is None or errors:
            raise InvalidPlan(invalid_message(source, errors))
        return cls(source, report.plan, findings)


def invalid_message(source: str, errors: Sequence[Finding]) -> str:
    from provision.cli.formats.plain import visible

    lines = [f"{visible(source)} is not a valid plan:"]
    lines += [f"  {e.line}:{e.column}: {e.rule} {visible(e.message)}" for e in errors[:20]]
    if len(errors) > 20:
        lines.append(f"  ... and {len(errors) - 20} more")
    return "\n".join(lines)


def build_review(head: Side, base: Side | None = None, *, today: dt.date, policy_config=None,
                 config_changes: Sequence[Change] = ()) -> Review:
    """What changed from `base` to `head`; without a base, `head` is reviewed as a new plan.

    `policy_config` is the config both sides were judged by (its residency table
    decides residency breaks); `config_changes` what HEAD's config changes.
    """
    residencies = policy_config.residencies if policy_config is not None else None
    head_access = vendor_docs(head.plan)
    deltas = access_deltas(vendor_docs(base.plan) if base else None, head_access)
    return Review(
        plan=head.plan.name,
        base=base.source if base else None,
        head=head.source,
        today=today,
        functions=tuple(
            FunctionSummary(f.name, f.type, f.provider, _external(head.plan, f.provider), f.tier, f.data,
                            f.sla.availability)
            for f in head.plan.functions.values()
        ),
        changes=tuple(config_changes)
        + ((*diff_plans(base.plan, head.plan, residencies), *access_changes(deltas)) if base else ()),
        concentration=concentration(base.plan if base else None, head.plan),
        findings=compare_findings(base.findings if base else None, head.findings),
        waivers=waiver_notes(base.plan if base else None, head.plan, today),
        cost=cost_review(base.plan if base else None, head.plan),
        policy_config=policy_config.label if policy_config is not None else "defaults",
        access=tuple(deltas),
        access_map=tuple(head_access["vendors"]),
    )


def _external(plan: Plan, provider: str) -> bool:
    found = plan.providers.get(provider)
    return found is not None and found.external
