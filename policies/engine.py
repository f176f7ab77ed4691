"""Runs the policy catalogue over a plan, with organisation config and waivers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from provision.policies.base import EXTERNAL_ID_REFS, ORIGIN, RESIDENCIES, TODAY, Enforcement, Policy, Violation
from provision.policies.config import PolicyConfig
from provision.policies.registry import POLICIES
from provision.policies.waivers import find_waiver
from provision.schemas.findings import Finding, Level, WaiverNote
from provision.schemas.model import Path, Plan, Waiver

_LEVEL = {Enforcement.MANDATORY: Level.MANDATORY, Enforcement.ADVISORY: Level.ADVISORY}


@dataclass(frozen=True)
class PolicyResult:
    policy: Policy
    violation: Violation
    level: Level  # MANDATORY | ADVISORY | WAIVED: effective, after config and waivers
    waiver: Waiver | None = None

    def to_finding(self, file: str, line: int, column: int) -> Finding:
        """The result as a Finding at a location the caller resolved from violation.path."""
        message = self.violation.message
        if self.waiver is not None:
            w = self.waiver
            message += f" [waived until {w.expires.isoformat()} by {w.approved_by}: {w.reason}]"
        return Finding(
            file=file,
            line=line,
            column=column,
            rule=self.policy.id,
            level=self.level,
            message=message,
            fix=self.violation.fix or self.policy.remediation,
            path=self.violation.path,
            title=self.policy.title,
            docs_url=self.policy.docs_url,
            waiver=None if self.waiver is None else WaiverNote(
                self.waiver.expires, self.waiver.approved_by, self.waiver.reason),
        )


def _path_key(path: Path) -> tuple:
    # Paths mix names and list indices; keep indices numeric and apart from names.
    return tuple((0, p, "") if isinstance(p, int) else (1, 0, p) for p in path)


def evaluate(
    plan: Plan, *, config: PolicyConfig, today: dt.date, origin=None, skip_failing: bool = False
) -> list[PolicyResult]:
    """Every violation of every enabled policy, sorted by JSON path, then policy id.

    `origin` (a policies.origin.PlanOrigin) is where the plan lives, for the
    policies that check files it names; without it they check what they can.
    `skip_failing` drops the results of a policy that raises (for plans that are not schema-valid).
    """
    results = []
    context = {TODAY: today, RESIDENCIES: config.residencies, EXTERNAL_ID_REFS: config.external_id_refs,
               ORIGIN: origin}
    for policy in POLICIES:
        enforcement = config.enforcement(policy)
        if enforcement is Enforcement.DISABLED:
            continue
        params = {**config.params(policy), **context}
        try:
            violations = list(policy.check(plan, params))
        except Exception:  # noqa: BLE001 - only with skip_failing: a schema-invalid plan may break any check
            if not skip_failing:
                raise
            continue
        for violation in violations:
            waiver = find_waiver(plan.waivers, policy.id, violation.function, today)
            level = Level.WAIVED if waiver else _LEVEL[enforcement]
            results.append(PolicyResult(policy, violation, level, waiver))
    results.sort(key=lambda r: (_path_key(r.violation.path), r.policy.id, r.violation.message))
    return results
