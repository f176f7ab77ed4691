"""Who a resource belongs to, and so which tags it must carry.

- a function's resources: the plan, the function, the function's provider
  and the environment;
- a vendor's access role (logical name `vendor-access-<provider>`): the
  function `vendor-access` and that provider;
- plan-level resources (the plan's own budget): the plan and the
  environment; they belong to no single function or provider.
"""

from __future__ import annotations

from provision.schemas.model import Plan, Provider
from provision.stacks.tags import TAG_ENVIRONMENT, TAG_FUNCTION, TAG_PLAN, TAG_PROVIDER
from provision.stacks.functions.vendor_access import VENDOR_ACCESS
from provision.stacks.verify.model import LiveResource


def vendor_of(resource: LiveResource, plan: Plan) -> Provider | None:
    """The external provider whose access role `resource` is; None for any other resource."""
    if resource.kind != "IamRole" or resource.function is not None:
        return None
    name = resource.name.removeprefix(f"{VENDOR_ACCESS}-")
    provider = plan.providers.get(name) if name != resource.name else None
    return provider if provider is not None and provider.external else None


def expected_tags(resource: LiveResource, plan: Plan) -> dict[str, str]:
    """The provision:* tags `resource` must carry, with their values."""
    base = {TAG_PLAN: plan.name, TAG_ENVIRONMENT: plan.environment}
    function = plan.functions.get(resource.function or "")
    if function is not None:
        return {**base, TAG_FUNCTION: function.name, TAG_PROVIDER: function.provider}
    vendor = vendor_of(resource, plan)
    if vendor is not None:
        return {**base, TAG_FUNCTION: VENDOR_ACCESS, TAG_PROVIDER: vendor.name}
    return base
