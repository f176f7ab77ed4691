"""What every function program gets: the plan, naming, tagging, and its peers.

A function program is a module with `build(ctx) -> FunctionComponent`, run
inside the Pulumi inline program (see stacks.program). It creates its AWS
resources as children of one ComponentResource per function.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import pulumi

from provision.schemas import naming
from provision.schemas.model import Function, Plan
from provision.stacks.tags import BACKUP_DATA, TAG_BACKUP, TAG_ENVIRONMENT, TAG_FUNCTION, TAG_PLAN, TAG_PROVIDER



class FunctionComponent(pulumi.ComponentResource):
    """The ComponentResource of one outsourced function.

    `outputs` holds what peers may need (ARNs, names, ids), e.g. monitoring
    alarms on a hosting distribution.
    """

    def __init__(self, function: Function, opts: pulumi.ResourceOptions | None = None) -> None:
        kind = "".join(part.capitalize() for part in function.type.split("-"))
        super().__init__(f"provision:function:{kind}", function.name, None, opts)
        self.function = function
        self.outputs: dict[str, Any] = {}

    def finish(self, **outputs: Any) -> "FunctionComponent":
        self.outputs.update(outputs)
        self.register_outputs(outputs)
        return self


@dataclass
class FunctionContext:
    plan: Plan
    function: Function
    account_id: str
    # Components already built, by function name (builders run in dependency order).
    peers: Mapping[str, FunctionComponent] = field(default_factory=dict)
    # Vendor access roles by provider name, for functions that grant a vendor access.
    vendor_roles: Mapping[str, Any] = field(default_factory=dict)
    # ExternalIds by provider name, read from their references before the engine ran.
    external_ids: Mapping[str, str] = field(default_factory=dict)
    # The availability zones of the plan's region the target account offers, in order
    # (stacks.zones); resolved before the engine runs.
    zones: tuple[str, ...] = ()

    @property
    def region(self) -> str:
        return self.plan.region

    @property
    def partition(self) -> str:
        """The ARN partition of the plan's region: "aws", "aws-us-gov" or "aws-cn" (never assume "aws")."""
        from provision.stacks.providers.calls import partition_of

        return partition_of(self.plan.region)

    def tags(self, **extra: str) -> dict[str, str]:
        """The tags every resource of this function carries."""
        return {
            TAG_PLAN: self.plan.name,
            TAG_FUNCTION: self.function.name,
            TAG_PROVIDER: self.function.provider,
            TAG_ENVIRONMENT: self.plan.environment,
            **extra,
        }

    def data_tags(self) -> dict[str, str]:
        """The tags of a resource holding the function's data, which backups select."""
        return self.tags(**{TAG_BACKUP: BACKUP_DATA})

    def physical_name(self, suffix: str = "", *, kind: str) -> str:
        """This function's AWS name of `kind` (a key of schemas.naming.KINDS) for `suffix`."""
        return physical_name(self.plan, self.function.name, suffix, self.account_id, kind=kind)

    def resource_opts(self, component: FunctionComponent, **kwargs: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=component, **kwargs)


# The names of the stack run in progress (see use_names); without one, names are derived afresh.
_book: naming.NameBook | None = None


def use_names(book: naming.NameBook | None) -> None:
    """Take every name from `book` until the next call; the program sets it for its run.

    Module-wide rather than passed along because peers derive each other's
    names (a monitoring alarm names a data exchange's bucket).
    """
    global _book
    _book = book


def physical_name(plan: Plan, function: str, suffix: str, account_id: str, *, kind: str) -> str:
    """The name the stack uses: the one it recorded, else schemas.naming's (which validate also computes)."""
    if _book is None:
        return naming.physical_name(plan.name, plan.environment, plan.region, account_id, function, suffix, kind=kind)
    return _book.name(plan.name, plan.environment, plan.region, account_id, function, suffix, kind=kind)
