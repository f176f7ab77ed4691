"""PRV-VEN-005: a vendor's exit plan is a document that exists, inside the repository, or an https URL."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import ORIGIN, Enforcement, Policy, Violation
from provision.policies.origin import inside
from provision.policies.plan_facts import critical_functions_at, quoted
from provision.schemas.model import Plan, Provider


def problem(value: str, origin) -> str | None:
    """Why `value` is not a usable exit plan (None when it is, or when it is no text: the schema says so)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return "is blank"
    if text.lower().startswith("https://"):
        return None  # a document elsewhere (wiki, contract portal): accepted as is
    if "://" in text or text.lower().startswith(("file:", "http:", "ftp:", "data:")):
        return f"'{text}' is neither an https URL nor a path in the repository"
    normal = inside(text)
    if normal is None:
        return f"'{text}' points outside the repository"
    if origin is not None and not origin.exists(normal):
        return f"'{text}' does not exist in {origin.label}"
    return None


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    origin = params.get(ORIGIN)
    for vendor in plan.providers.values():
        if not vendor.external or vendor.exit_plan is None:
            continue
        found = problem(vendor.exit_plan, origin)
        if found:
            yield Violation(_message(plan, vendor, found), vendor.path + ("exitPlan",))


def _message(plan: Plan, vendor: Provider, found: str) -> str:
    critical = critical_functions_at(plan, vendor.name)
    runs = f", which runs critical {quoted(critical)}" if critical else ""
    return f"exit plan of provider '{vendor.name}'{runs}: {found}"


POLICY = Policy(
    id="PRV-VEN-005",
    title="A vendor's exit plan is a real document",
    enforcement=Enforcement.MANDATORY,
    description=(
        "An exit plan that cannot be opened is no exit plan (PRV-VEN-002 asks for one for every "
        "vendor running a critical function). exitPlan is an https URL, accepted as is, or a path "
        "relative to the root of the git repository that holds the plan (the plan's directory "
        "outside a repository): it must stay inside that root and name a file that exists, at the "
        "compared revision when the plan is read from git. Paths climbing out of the repository, "
        "absolute paths, file: and http: URLs and blank values are refused, so a plan cannot point "
        "reviewers at files outside the repository."
    ),
    remediation=(
        "Commit the exit plan (for example docs/exit/<vendor>.md) and give its path from the "
        "repository root, or give the https URL of the document."
    ),
    check=check,
    tags=("vendor", "exit"),
)
