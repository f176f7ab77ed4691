"""What a vendor's access is made of, as plain facts of the plan (no engine SDK here).

The function programs (stacks.functions.vendor_access) build the roles from
these; the offline access review (stacks.access) reads the same facts, so the
access it shows is the access apply grants.
"""

from __future__ import annotations

from provision.schemas.model import Function, Plan

# Sessions on a role a vendor assumes last one hour at most.
MAX_SESSION_SECONDS = 3600


class ExternalIdError(Exception):
    """A provider's ExternalId could not be read; the message names the provider and the reference."""


def operated_by(plan: Plan, provider: str) -> list[Function]:
    """The functions a provider operates: its own, and data exchanges it is a partner of."""
    return [
        f
        for f in plan.functions.values()
        if f.provider == provider or (f.type == "data-exchange" and provider in f.settings.get("partners", ()))
    ]
