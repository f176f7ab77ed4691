"""What checks take and give: live resources, the audit context, results."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping, Protocol

from botocore.exceptions import ClientError

from provision.schemas.model import Plan
from provision.stacks.providers.base import error_code, is_not_found

# A check's own verdicts: (passed, detail). The `check` decorator turns them into CheckResults.
Outcome = tuple[bool, str]


class ClientFactory(Protocol):
    def __call__(self, service: str, region: str | None = None) -> Any: ...


@dataclass(frozen=True)
class CheckResult:
    check: str  # e.g. "s3.encryption"
    resource: str  # the resource's ARN (or "<Kind> <id>" when AWS gives it none)
    passed: bool
    detail: str


@dataclass(frozen=True)
class LiveResource:
    """One resource of the stack, as the Pulumi state records it."""

    urn: str
    name: str  # the logical name in the program, e.g. "web-site"
    kind: str  # the provider's resource class, e.g. "S3Bucket"
    function: str | None  # the plan function owning it; None for plan-level resources
    id: str  # the physical id (bucket name, role name, detector id, ...)
    outputs: Mapping[str, Any] = field(default_factory=dict)  # secrets removed
    region: str | None = None

    @property
    def arn(self) -> str:
        return self.outputs.get("arn") or self.outputs.get("recorder_arn") or f"{self.kind} {self.id}"


@dataclass
class VerifyContext:
    """What every check may consult: the plan, AWS clients and the whole inventory."""

    plan: Plan
    clients: ClientFactory
    resources: list[LiveResource] = field(default_factory=list)
    # The functions' outputs the stack exported, by function name (for the planned vendor access).
    exports: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def client(self, service: str, resource: LiveResource | None = None) -> Any:
        """A client for `service` in the resource's region (the plan's by default)."""
        region = (resource.region if resource is not None else None) or self.plan.region
        return self.clients(service, region)

    def of_kind(self, kind: str) -> list[LiveResource]:
        return [r for r in self.resources if r.kind == kind]


CheckFn = Callable[[LiveResource, VerifyContext], Iterator[CheckResult]]


def ok(detail: str) -> Outcome:
    return True, detail


def fail(detail: str) -> Outcome:
    return False, detail


def check(check_id: str) -> Callable[[Callable[[LiveResource, VerifyContext], Iterator[Outcome]]], CheckFn]:
    """Make a check from a generator of outcomes; an AWS error becomes a failed result.

    A check yields nothing when it does not apply to the resource (e.g.
    versioning on a bucket the program does not version).
    """

    def wrap(fn: Callable[[LiveResource, VerifyContext], Iterator[Outcome]]) -> CheckFn:
        @functools.wraps(fn)
        def run(resource: LiveResource, ctx: VerifyContext) -> Iterator[CheckResult]:
            try:
                for passed, detail in fn(resource, ctx):
                    yield CheckResult(check_id, resource.arn, passed, detail)
            except ClientError as exc:
                yield CheckResult(check_id, resource.arn, False, aws_failure(exc))

        run.check_id = check_id  # type: ignore[attr-defined]
        return run

    return wrap


def aws_failure(exc: ClientError) -> str:
    """The detail of a check AWS would not answer."""
    if is_not_found(exc):
        return f"not found in AWS ({error_code(exc)}): deleted outside provision?"
    message = exc.response.get("Error", {}).get("Message", "")
    return f"could not be read: {error_code(exc)}: {message}".rstrip(": ")
