"""PRV-IAM-003: external id references stay inside the organisation's external-id namespace."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import EXTERNAL_ID_REFS, Enforcement, Policy, Violation
from provision.policies.references import DEFAULT_EXTERNAL_ID_REFS, problem
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    namespace = tuple(params.get(EXTERNAL_ID_REFS) or DEFAULT_EXTERNAL_ID_REFS)
    for vendor in plan.providers.values():
        if not vendor.external_id_ref:
            continue
        found = problem(vendor.external_id_ref, namespace)
        if found:
            yield Violation(f"provider '{vendor.name}': externalIdRef {found}", vendor.path + ("externalIdRef",))


POLICY = Policy(
    id="PRV-IAM-003",
    title="External id references stay in the external-id namespace",
    enforcement=Enforcement.MANDATORY,
    description=(
        "apply copies the value behind externalIdRef into the vendor's role trust policy, which "
        "anyone allowed iam:GetRole can read. A reference outside the namespace kept for external "
        "ids would publish another secret (ssm:/teams/payments/db-password) or the deployer's own "
        "credentials (env:AWS_SECRET_ACCESS_KEY). References must match a glob of externalIdRefs "
        "in provision-policies.yaml (default ssm:/provision/*, secretsmanager:provision/* and "
        "env:*_EXTERNAL_ID); credential variables (AWS_*, *_TOKEN, *SECRET*, ...) are refused "
        "whatever the config says, here and again at apply time."
    ),
    remediation=(
        "Keep the external id under the namespace, for example ssm:/provision/vendors/<name>/external-id "
        "or env:<NAME>_EXTERNAL_ID, or extend externalIdRefs in provision-policies.yaml."
    ),
    check=check,
    tags=("iam", "vendor", "secrets"),
)
