"""The trust of a role an external provider assumes from its own account.

Built from stacks.functions.vendor_access's ExternalId resolver: the
provider's account root may assume the role, only with its ExternalId, which
is a Pulumi secret (encrypted in state, never printed). Resources using it
pass SECRET_TRUST so the engine also keeps the trust policy output secret.
"""

from __future__ import annotations

import pulumi

from provision.schemas.model import Provider
from provision.stacks.functions.vendor_access import resolve_external_id
from provision.stacks.functions.vendor_facts import MAX_SESSION_SECONDS
from provision.stacks.providers.iam_role import trust_policy

__all__ = ["MAX_SESSION_SECONDS", "SECRET_TRUST", "vendor_trust_policy"]

SECRET_TRUST = pulumi.ResourceOptions(additional_secret_outputs=["assume_role_policy"])


def vendor_trust_policy(provider: Provider, external_id: str | None = None) -> pulumi.Output[str]:
    """`provider`'s account may assume the role, with its ExternalId (resolved
    from its reference when not given)."""
    if not provider.external or not provider.account_id:
        raise ValueError(f"provider '{provider.name}' is not an external provider with an account id")
    external_id = pulumi.Output.secret(external_id or resolve_external_id(provider))
    principal = {"AWS": f"arn:aws:iam::{provider.account_id}:root"}
    return external_id.apply(lambda value: trust_policy(principal, external_id=value))
