"""What a run killed mid-update leaves behind, and clearing it safely.

A run that dies without a chance to stop cleanly (SIGKILL, a lost CI runner,
a power cut) leaves the engine's lock on the stack and the operations it had
started ("pending operations": creates, updates, deletes that AWS may or may
not have finished). The engine would then refuse every update with a bare
"locked" error, or, for pending creates, drop them silently. So apply and
destroy look for these leftovers first and explain them, and `provision
unlock` clears them: it releases the engine's lock (`pulumi cancel`) and
drops the pending operations from the state, listing the names of resources
that were being created, since AWS may hold them outside the state.

The engine's lock is visible only on file backends (`.pulumi/locks/` in the
backend directory); on other backends a leftover lock shows when an update
starts, and the error then points at `provision unlock` too.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import socket
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provision.stacks.engine.errors import EngineError
from provision.stacks.engine.workspace import StackSpec


@dataclass(frozen=True)
class EngineLock:
    """The engine's lock on a stack, as its file records it."""

    pid: int | None
    host: str
    started: str
    alive: bool | None  # None when it is held from another host: unknowable here

    def describe(self) -> str:
        when = _shown(self.started)
        return f"pid {self.pid} on host {self.host}, started {when}" if when else f"pid {self.pid} on host {self.host}"


@dataclass(frozen=True)
class PendingOperation:
    kind: str  # creating | updating | deleting | reading | importing
    urn: str
    names: tuple[str, ...]  # physical names among its inputs, to find it in AWS

    @property
    def resource(self) -> str:
        return self.urn.rsplit("::", 1)[-1]

    def describe(self) -> str:
        named = f" ({', '.join(self.names)})" if self.names else ""
        return f"{self.kind} {self.resource}{named}"


@dataclass
class Leftovers:
    locks: list[EngineLock] = field(default_factory=list)
    pending: list[PendingOperation] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.locks and not self.pending

    @property
    def running(self) -> list[EngineLock]:
        """Locks whose engine process is still alive on this host: a run in progress, not a leftover."""
        return [lock for lock in self.locks if lock.alive]

    def describe(self) -> str:
        parts = []
        if self.locks:
            parts.append("the engine's lock is still held (" + "; ".join(l.describe() for l in self.locks) + ")")
        if self.pending:
            parts.append(
                f"{len(self.pending)} operation(s) it started never finished: "
                + ", ".join(p.describe() for p in self.pending)
            )
        return " and ".join(parts)


class UnfinishedRun(EngineError):
    """The stack holds the leftovers of a run that died mid-update."""

    def __init__(self, stack: str, leftovers: Leftovers, unlock_command: str) -> None:
        self.leftovers = leftovers
        super().__init__(
            f"The last run on stack {stack} was stopped before it could finish (killed, or its machine went "
            f"away): {leftovers.describe()}. Nothing was changed now. Run `{unlock_command}` to release the "
            "stack and clear those operations, then run this command again."
        )


class EngineBusy(EngineError):
    """An engine process outside this provision run is updating the stack."""

    def __init__(self, stack: str, locks: list[EngineLock]) -> None:
        super().__init__(
            f"Stack {stack} is being updated by another engine process ("
            + "; ".join(l.describe() for l in locks)
            + "), outside this state directory's runs. Wait for it to finish; nothing was changed."
        )


def engine_locks(spec: StackSpec) -> list[EngineLock]:
    """The engine's lock files on the stack (file backends; [] for others)."""
    if not spec.backend_url.startswith("file://"):
        return []
    root = Path(urllib.parse.unquote(urllib.parse.urlparse(spec.backend_url).path)) / ".pulumi" / "locks"
    found = []
    for path in sorted(root.glob(f"*/{spec.project}/{spec.stack}/*.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        pid = data.get("pid") if isinstance(data.get("pid"), int) else None
        host = str(data.get("hostname", "?"))
        alive = _engine_alive(pid) if host == socket.gethostname() else None
        found.append(EngineLock(pid=pid, host=host, started=str(data.get("timestamp", "")), alive=alive))
    return found


def pending_operations(deployment: dict[str, Any] | None) -> list[PendingOperation]:
    """The unfinished operations recorded in an exported deployment."""
    out = []
    for op in (deployment or {}).get("pending_operations") or []:
        resource = op.get("resource") or {}
        inputs = resource.get("inputs") or {}
        names = tuple(
            str(value) for key, value in sorted(inputs.items())
            if isinstance(value, str) and (key.endswith("name") or key == "alias") and not key.startswith("__")
        )
        out.append(PendingOperation(kind=str(op.get("type", "?")), urn=str(resource.get("urn", "?")), names=names))
    return out


def find_leftovers(ops: Any) -> Leftovers:
    """The leftovers of a dead run on a StackOps' stack (empty when it has none, or no stack)."""
    deployment = ops.deployment()
    if deployment is None:
        return Leftovers()
    return Leftovers(locks=engine_locks(ops.spec), pending=pending_operations(deployment))


def check_no_leftovers(ops: Any, unlock_command: str) -> None:
    """Refuse to go on while the stack is held by a running engine or holds a dead run's leftovers."""
    leftovers = find_leftovers(ops)
    if leftovers.running:
        raise EngineBusy(ops.label, leftovers.running)
    if not leftovers.empty:
        raise UnfinishedRun(ops.label, leftovers, unlock_command)


def clear_leftovers(ops: Any) -> Leftovers:
    """Release the engine's lock and drop pending operations; returns what was cleared.

    The caller holds the provision lock, and has checked no engine process
    still runs: clearing a live run's lock would let two updates collide.
    """
    leftovers = find_leftovers(ops)
    stack = ops.existing()
    if stack is None:
        return leftovers
    try:
        # Harmless without a lock, and the only way to see one on non-file backends.
        stack.cancel()
        if leftovers.pending:
            exported = stack.export_stack()
            exported.deployment["pending_operations"] = []
            stack.import_stack(exported)
    except Exception as exc:  # noqa: BLE001
        raise EngineError(f"Could not clear stack {ops.label}: {exc}") from None
    finally:
        ops.reread()
    return leftovers


def _engine_alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    cmdline = Path(f"/proc/{pid}/cmdline")
    try:
        return b"pulumi" in cmdline.read_bytes() if cmdline.exists() else True
    except OSError:
        return True


def _shown(stamp: str) -> str:
    try:
        parsed = dt.datetime.fromisoformat(re.sub(r"\.\d+", "", stamp).replace("Z", "+00:00"))
    except ValueError:
        return stamp
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
