"""Keep a sandbox stack's Pulumi state honest about the sandbox it describes.

moto forgets everything when its process ends. The default sandbox backend is
wiped with the process (see stacks.sandbox.lifecycle), but a state kept
elsewhere (`--backend s3://...`) outlives it. So every sandbox stack carries
the id of the sandbox instance its resources live in, as a stack tag; a
stack with resources and another instance's id is stale and is refused,
never silently reconciled.
"""

from __future__ import annotations

from typing import Any, Callable

from provision.stacks.engine.errors import EngineError

INSTANCE_TAG = "provision:sandbox-instance"


class StaleSandboxState(EngineError):
    """The stack's resources lived in a sandbox instance that no longer runs."""

    def __init__(self, stack_name: str, recorded: str | None, current: str, resources: int) -> None:
        self.recorded, self.current, self.resources = recorded, current, resources
        was = f"sandbox instance {recorded}" if recorded else "a sandbox instance it did not record"
        super().__init__(
            f"The Pulumi state of stack {stack_name} lists {resources} resource(s) created in {was}, "
            f"but the running sandbox is instance {current}, which starts empty: those resources no "
            "longer exist. Run `provision destroy` on the plan to forget the stale state (nothing "
            "is deleted in AWS), then apply again."
        )


def recorded_instance(stack: Any) -> str | None:
    return stack.list_tags().get(INSTANCE_TAG)


def check_instance(stack: Any, current: str, count_resources: Callable[[], int]) -> None:
    """Record `current` on a stack without resources; refuse a stack whose resources live elsewhere."""
    recorded = recorded_instance(stack)
    if recorded == current:
        return
    resource_count = count_resources()
    if resource_count > 0:
        raise StaleSandboxState(stack.name, recorded, current, resource_count)
    stack.set_tag(INSTANCE_TAG, current)
