"""Run every check the registry lists for each live resource."""

from __future__ import annotations

from dataclasses import dataclass, field

from provision.stacks.verify.checks.existence import resource_exists
from provision.stacks.verify.access import access_results
from provision.stacks.verify.coverage import coverage
from provision.stacks.verify.model import CheckResult, LiveResource, VerifyContext
from provision.stacks.verify.registry import checks_for


@dataclass
class VerifyReport:
    results: list[CheckResult] = field(default_factory=list)
    # Resources with no check to run (kinds with nothing to audit, or unknown kinds).
    unaudited: list[LiveResource] = field(default_factory=list)

    @property
    def failures(self) -> list[CheckResult]:
        return [r for r in self.results if not r.passed]

    @property
    def passed(self) -> bool:
        return not self.failures


def verify(ctx: VerifyContext) -> VerifyReport:
    """Check the plan's coverage, then every resource in `ctx.resources`, in state order
    (first that it exists, then, only if it does, its properties), then vendor access."""
    report = VerifyReport(results=list(coverage(ctx.plan, ctx.resources)))
    for resource in ctx.resources:
        found = list(resource_exists(resource, ctx))
        report.results.extend(found)
        if any(not r.passed for r in found):
            continue
        checks = checks_for(resource.kind)
        if not checks:
            report.unaudited.append(resource)
        for check in checks:
            report.results.extend(check(resource, ctx))
    report.results.extend(access_results(ctx))
    return report
