"""Stack operations: preview, up, destroy, refresh, and what is deployed.

Every operation collects the engine's events into a ChangeSet (per-resource
ops, grouped by function) and optionally feeds a StepListener for live
progress. Failures become EngineError paragraphs (stacks.engine.errors).
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Callable, Iterator

from provision.stacks.engine import consistency, provider_pickling
from provision.stacks.engine.errors import EngineError, engine_error
from provision.stacks.engine.events import COMPONENT_PREFIX, ChangeSet, Labelled, StepListener
from provision.stacks.engine.locate import Engine
from provision.stacks.engine.workspace import PulumiFn, StackSpec, existing_stack, export_deployment, open_stack


@dataclass
class Outcome:
    """What an up or destroy did."""

    changes: ChangeSet
    outputs: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass(frozen=True)
class LastUpdate:
    kind: str  # update | destroy | refresh | ...
    result: str  # succeeded | failed | in-progress
    started: datetime
    ended: datetime | None
    changes: dict[str, int]


@dataclass(frozen=True)
class DeployedResource(Labelled):
    urn: str
    name: str
    type: str
    function: str | None
    id: str


@dataclass
class StackStatus:
    resources: list[DeployedResource]
    outputs: dict[str, Any]
    last_update: LastUpdate | None


_UNREAD: Any = object()  # nothing asked of the backend yet


class StackOps:
    """Operations on one plan's stack.

    `sandbox_instance` is the id of the running sandbox when the target is the
    sandbox: the stack is checked against it before anything runs.

    The program is `program`, or else `program_for(deployment)`: built from
    the deployed state (the names it already uses) when an operation needs it.

    One StackOps serves one command, and every engine command costs a fifth
    of a second of CPU before it does anything. So the stack is selected, its
    deployment exported and its sandbox instance checked once; operations
    that change the state forget what was read, and `reread()` forgets it
    all (the guard calls it once it holds the stack's lock).
    """

    def __init__(
        self, spec: StackSpec, engine: Engine, program: PulumiFn | None = None, sandbox_instance: str | None = None
    ) -> None:
        self.spec, self.engine, self.program = spec, engine, program
        self.program_for: Callable[[dict[str, Any] | None], PulumiFn] | None = None
        self.sandbox_instance = sandbox_instance
        # What the program raised in the last run: the engine reports it only as a traceback in text.
        self._program_error: BaseException | None = None
        self.reread()

    @property
    def label(self) -> str:
        return f"{self.spec.project}/{self.spec.stack}"

    # -- what is deployed, read once ----------------------------------------------------
    def reread(self) -> None:
        """Forget what was read of the stack: the next question goes to the backend."""
        self._stack: Any = _UNREAD  # the selected stack; None when there is none
        self._deployment: Any = _UNREAD
        self._instance_checked = False

    def existing(self):
        """The stack if it exists, else None (status and destroy never create one)."""
        if self._stack is _UNREAD:
            self._stack = existing_stack(self.spec, self.engine)
        return self._stack

    def deployment(self, *, checked: bool = False) -> dict[str, Any] | None:
        """The stack's exported deployment (resources with their outputs); None when there is no stack.

        `checked`: on the sandbox, refuse a state whose resources lived in
        another sandbox instance (StaleSandboxState), as every operation does.
        """
        stack = self.existing()
        if stack is None:
            return None
        if checked:
            self._check_instance(stack)
        if self._deployment is _UNREAD:
            try:
                self._deployment = export_deployment(stack)
            except Exception as exc:  # noqa: BLE001
                raise self._error("state export", exc) from None
        return self._deployment

    def _check_instance(self, stack) -> None:
        if self.sandbox_instance is None or self._instance_checked:
            return
        consistency.check_instance(stack, self.sandbox_instance, lambda: len(deployed_resources(self.deployment())))
        self._instance_checked = True

    def _state_changed(self, *, stack_removed: bool = False) -> None:
        self._deployment = _UNREAD
        if stack_removed:
            self.reread()

    # -- operations ---------------------------------------------------------------------
    def preview(self, listener: StepListener | None = None, *, refresh: bool = False) -> ChangeSet:
        """What an up would do, resource by resource.

        With `refresh`, against what AWS holds now rather than what the state
        last recorded (as `up(refresh=True)` will); nothing is written either way.
        """
        stack = self._open()
        changes = ChangeSet(listener=listener)
        try:
            stack.preview(on_event=changes, color="never", diff=False, refresh=refresh)
        except Exception as exc:  # noqa: BLE001 - every engine failure becomes one paragraph
            raise self._error("preview", exc, changes) from None
        return changes

    def up(self, listener: StepListener | None = None, *, refresh: bool = False) -> Outcome:
        """Create, update, replace and delete resources to match the program.

        With `refresh`, the state is first brought up to date with AWS, so
        out-of-band changes (drift, deleted resources) are repaired too.
        """
        stack = self._open()
        changes = ChangeSet(listener=listener)
        started = time.monotonic()
        try:
            with _no_summary(stack):
                stack.up(on_event=changes, color="never", show_secrets=False, refresh=refresh)
        except Exception as exc:  # noqa: BLE001
            raise self._error("update", exc, changes) from None
        finally:
            self._state_changed()
        return Outcome(changes, stack_outputs(self.deployment()), time.monotonic() - started)

    def destroy(self, listener: StepListener | None = None, *, force_delete_data: bool = False) -> Outcome | None:
        """Delete every resource of the stack, then the stack itself; None when there was no stack.

        `force_delete_data` lets the providers delete buckets and vaults that
        still hold data (they refuse otherwise): the caller has shown the user
        what would be lost (stacks.engine.data_loss).
        """
        stack = self.existing()
        if stack is None:
            return None
        self._check_instance(stack)
        if force_delete_data:
            from provision.stacks.providers.base import FORCE_DELETE_DATA_ENV

            stack = existing_stack(replace(self.spec, env={**self.spec.env, FORCE_DELETE_DATA_ENV: "1"}), self.engine)
            if stack is None:
                return None
        changes = ChangeSet(listener=listener)
        started = time.monotonic()
        try:
            with _no_summary(stack):
                stack.destroy(on_event=changes, color="never")
            stack.workspace.remove_stack(self.spec.stack)
        except Exception as exc:  # noqa: BLE001
            raise self._error("destroy", exc, changes) from None
        finally:
            self._state_changed(stack_removed=True)
        return Outcome(changes, {}, time.monotonic() - started)

    def stale_state(self) -> consistency.StaleSandboxState | None:
        """For a sandbox stack: why its state is stale (its sandbox instance is gone), else None."""
        stack = self.existing()
        if stack is None or self.sandbox_instance is None:
            return None
        try:
            self._check_instance(stack)
        except consistency.StaleSandboxState as stale:
            return stale
        return None

    def forget(self) -> None:
        """Drop the stack's state without touching any resource (they are known to be gone)."""
        stack = self.existing()
        if stack is not None:
            try:
                stack.workspace.remove_stack(self.spec.stack, force=True)
            finally:
                self._state_changed(stack_removed=True)

    def refresh(self, listener: StepListener | None = None) -> ChangeSet:
        """Read every resource back from AWS and record drift and deletions in the state."""
        stack = self._open()
        changes = ChangeSet(listener=listener)
        try:
            with _no_summary(stack):
                stack.refresh(on_event=changes, color="never")
        except Exception as exc:  # noqa: BLE001
            raise self._error("refresh", exc, changes) from None
        finally:
            self._state_changed()
        return changes

    def preview_refresh(self, changes: ChangeSet | None = None) -> ChangeSet | None:
        """Read every resource back from AWS and report what differs from the state, writing nothing.

        None when the stack does not exist. `changes` may be a ChangeSet
        subclass that keeps more of each event (see stacks.engine.drift).
        """
        stack = self.existing()
        if stack is None:
            return None
        self._check_instance(stack)
        changes = changes if changes is not None else ChangeSet()
        try:
            stack.preview_refresh(on_event=changes, color="never", show_secrets=False)
        except Exception as exc:  # noqa: BLE001
            raise self._error("drift check", exc, changes) from None
        return changes

    def status(self) -> StackStatus | None:
        """Resources, outputs and last update of the stack; None when it does not exist."""
        stack = self.existing()
        if stack is None:
            return None
        deployment = self.deployment(checked=True)
        try:
            history = stack.history(page_size=1, show_secrets=False)
        except Exception as exc:  # noqa: BLE001
            raise self._error("status query", exc) from None
        return StackStatus(
            deployed_resources(deployment), stack_outputs(deployment), _last_update(history[0]) if history else None
        )

    # -- helpers ------------------------------------------------------------------------
    def _open(self):
        """The stack with the program to run, created on first use."""
        program = self.program
        if program is None and self.program_for is not None:
            program = self.program_for(self.deployment())
        if program is None:
            raise ValueError("this operation needs the stack's program")
        self._program_error = None
        stack = self.existing()
        try:
            if stack is None:
                self._stack = stack = open_stack(self.spec, self.engine, self._guarded(program))
            else:
                stack.workspace.program = self._guarded(program)
        except Exception as exc:  # noqa: BLE001
            raise self._error("stack selection", exc) from None
        self._check_instance(stack)
        return stack

    def _guarded(self, program: PulumiFn) -> PulumiFn:
        def run() -> None:
            provider_pickling.install()
            try:
                program()
            except Exception as exc:
                self._program_error = exc
                raise

        return run

    def _error(self, action: str, exc: Exception, changes: ChangeSet | None = None) -> EngineError:
        if isinstance(exc, EngineError):
            return exc
        if self._program_error is not None:
            return EngineError(f"The {action} of stack {self.label} failed: {program_error_text(self._program_error)}")
        return engine_error(f"{action} of stack {self.label}", exc, changes)


def program_error_text(exc: BaseException) -> str:
    """Our own exceptions say what is wrong; anything else also needs its type to make sense."""
    message = str(exc).strip()
    if type(exc).__module__.startswith("provision.") and message:
        return message
    return f"the plan's program raised {type(exc).__name__}: {message}" if message else f"the plan's program raised {type(exc).__name__}"


def deployed_resources(deployment: dict[str, Any] | None) -> list[DeployedResource]:
    """The plan's resources in an exported deployment (no stack, providers or components)."""
    raw = (deployment or {}).get("resources") or []
    owners: dict[str, str | None] = {}
    out = []
    for res in raw:  # parents precede children in a deployment
        urn, rtype = res.get("urn", ""), res.get("type", "")
        if rtype.startswith(COMPONENT_PREFIX):
            owners[urn] = urn.rsplit("::", 1)[-1]
            continue
        owners[urn] = owners.get(res.get("parent", ""))
        if rtype.startswith("pulumi:") or not res.get("custom", False) or res.get("delete"):
            continue
        out.append(DeployedResource(urn, urn.rsplit("::", 1)[-1], rtype, owners[urn], str(res.get("id", ""))))
    return out


# Pulumi marks a secret value in an exported deployment with this key (resource.SigKey).
SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"


def _holds_secret(value: Any) -> bool:
    if isinstance(value, dict):
        return SECRET_SIGNATURE in value or any(map(_holds_secret, value.values()))
    if isinstance(value, list):
        return any(map(_holds_secret, value))
    return False


def stack_outputs(deployment: dict[str, Any] | None) -> dict[str, Any]:
    """The stack's outputs as `status` shows them, read from its deployment; secret ones stay hidden."""
    for res in (deployment or {}).get("resources") or []:
        if res.get("type") == "pulumi:pulumi:Stack" and not res.get("parent"):
            return {k: ("[secret]" if _holds_secret(v) else v) for k, v in (res.get("outputs") or {}).items()}
    return {}


@contextmanager
def _no_summary(stack: Any) -> Iterator[None]:
    """Skip what the automation API reads after an up, refresh or destroy: `stack output` twice and
    `stack history`, 0.2 s of CPU each. Nothing here uses that summary; outputs come from the state."""
    stack.outputs = lambda: {}
    stack.info = lambda *args, **kwargs: "not read"
    try:
        yield
    finally:
        del stack.outputs, stack.info


def _last_update(summary: Any) -> LastUpdate:
    return LastUpdate(
        kind=summary.kind,
        result=summary.result,
        started=summary.start_time,
        ended=summary.end_time,
        changes=dict(summary.resource_changes or {}),
    )
