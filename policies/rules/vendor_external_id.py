"""PRV-IAM-002: each external vendor has an external id of its own."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    first_with: dict[str, str] = {}
    for vendor in plan.providers.values():
        ref = vendor.external_id_ref
        if not vendor.external or not ref:
            continue
        if ref in first_with:
            yield Violation(
                f"provider '{vendor.name}' reuses externalIdRef {ref} of provider '{first_with[ref]}'",
                vendor.path + ("externalIdRef",),
            )
        else:
            first_with[ref] = vendor.name


POLICY = Policy(
    id="PRV-IAM-002",
    title="Each external vendor has its own external id",
    enforcement=Enforcement.MANDATORY,
    description=(
        "Every external provider assumes its cross-account role with an ExternalId, the guard "
        "against the confused-deputy problem. Two vendors sharing one externalIdRef share that "
        "guard: a leak at one weakens the other, and the id cannot be rotated for one vendor "
        "alone. (The schema already requires externalIdRef to be a reference, env:, ssm: or "
        "secretsmanager:, never the value.)"
    ),
    remediation="Give each external provider its own externalIdRef (for example ssm:/provision/vendors/<name>/external-id).",
    check=check,
    tags=("iam", "vendor"),
)
