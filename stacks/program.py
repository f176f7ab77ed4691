"""Compile a Plan into the Pulumi inline program of its stack.

Order: one FunctionComponent per function in dependency order (a backup
after what it protects, monitoring after what it watches, otherwise plan
order), then the vendor access roles (scoped to the resources of the
functions each vendor operates, so they come after them), then the budgets.
Each function's outputs are exported under the function's name, and every
physical name the run used under `physicalNames`, so that later runs keep them
(see schemas.naming.NameBook).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

from provision.schemas import function_types
from provision.schemas.model import Function, Plan
from provision.schemas.naming import RECORD_OUTPUT, NameBook


def dependencies(function: Function) -> list[str]:
    """The functions `function` must be built after (its type's `depends_on` setting names them)."""
    key = function_types.get(function.type).depends_on
    return list(function.settings.get(key, ())) if key else []


def build_order(plan: Plan) -> list[Function]:
    """Functions in dependency order, stable with respect to plan order."""
    remaining = list(plan.functions.values())
    done: list[Function] = []
    placed: set[str] = set()
    while remaining:
        ready = [f for f in remaining if all(d in placed or d not in plan.functions for d in dependencies(f))]
        if not ready:
            cycle = ", ".join(f.name for f in remaining)
            raise ValueError(f"functions depend on each other in a cycle: {cycle}")
        first = ready[0]
        done.append(first)
        placed.add(first.name)
        remaining.remove(first)
    return done


def build_program(
    plan: Plan,
    account_id: str,
    *,
    external_ids: Mapping[str, str] | None = None,
    names: NameBook | None = None,
    zones: Sequence[str] = (),
    cost_tags_active: bool = False,
) -> Callable[[], None]:
    """The inline program for `plan` in account `account_id`, the same on every target.

    `external_ids` are the vendors' ExternalIds, resolved on the target beforehand.
    `names` holds the names the deployed stack uses (schemas.naming.book_from_deployment).
    `zones` are the availability zones of the plan's region the account offers, in order.
    `cost_tags_active` (from the organisation's policy config) lets budgets filter on our tags.
    """

    def program() -> None:
        import pulumi

        from provision.stacks.functions import base, budgets, registry, vendor_access

        book = NameBook(recorded=names.recorded, legacy=names.legacy) if names else NameBook()
        base.use_names(book)
        try:
            components: dict[str, base.FunctionComponent] = {}
            for function in build_order(plan):
                ctx = base.FunctionContext(
                    plan=plan, function=function, account_id=account_id, peers=dict(components),
                    external_ids=dict(external_ids or {}), zones=tuple(zones),
                )
                component = registry.program_for(function.type).build(ctx)
                components[function.name] = component
                pulumi.export(function.name, component.outputs)
            roles = vendor_access.build_vendor_roles(plan, account_id, components, external_ids=external_ids)
            budgets.build_budgets(plan, account_id, cost_tags_active=cost_tags_active)
            if roles:
                pulumi.export("vendorRoles", _role_arns(roles))
            pulumi.export(RECORD_OUTPUT, dict(sorted(book.used.items())))
        finally:
            base.use_names(None)

    return program


def _role_arns(roles: Mapping[str, Any]) -> dict[str, Any]:
    return {provider: getattr(role, "arn", None) for provider, role in roles.items()}
