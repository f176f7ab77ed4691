"""One provision run at a time per stack, and a clear answer to "who has it?".

The engine's own lock is taken only when an update starts, after the preview
and the confirmation, and its refusal names no one. So commands that change
a stack (apply, destroy, unlock) first take this lock, for their whole run:
an exclusive `flock` on a file in the state directory that records who holds
it (pid, host, user, command, start time). The operating system releases a
flock when its holder dies, even by SIGKILL, so this lock can never be left
behind; a second run fails at once and says who holds it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import getpass
import hashlib
import json
import os
import socket
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator

from provision.stacks.engine.errors import EngineError


@dataclass(frozen=True)
class LockHolder:
    pid: int
    host: str
    user: str
    command: str
    started_at: str  # ISO 8601, UTC

    def describe(self) -> str:
        return f"`{self.command}` (pid {self.pid} on host {self.host}, user {self.user}, started {_shown(self.started_at)})"


class StackLocked(EngineError):
    """Another provision run holds the stack."""

    def __init__(self, stack: str, holder: LockHolder | None) -> None:
        self.holder = holder
        who = holder.describe() if holder is not None else "another provision run that is just starting"
        super().__init__(
            f"Stack {stack} is locked by {who}. Wait for that run to finish, then run this command again; "
            "nothing was changed."
        )


def lock_file(state_root: Path, project: str, stack: str, backend_url: str) -> Path:
    """Where the lock of one stack (project/stack on one backend) lives in the state directory."""
    digest = hashlib.sha256(backend_url.encode()).hexdigest()[:12]
    return state_root / "locks" / f"{project}.{stack}.{digest}.lock"


@contextmanager
def stack_lock(path: Path, stack: str, command: str) -> Iterator[LockHolder]:
    """Hold the lock at `path` for the block; StackLocked at once when someone else holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StackLocked(stack, read_holder(path)) from None
        holder = LockHolder(
            pid=os.getpid(),
            host=socket.gethostname(),
            user=_user(),
            command=command,
            started_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        )
        _write(fd, json.dumps(asdict(holder)).encode())
        try:
            yield holder
        finally:
            _write(fd, b"")
    finally:
        os.close(fd)  # releases the flock


def read_holder(path: Path) -> LockHolder | None:
    """Who holds the lock, as the holder recorded it; None when unreadable (it is just being written)."""
    try:
        data = json.loads(path.read_text())
        return LockHolder(**{k: data[k] for k in ("pid", "host", "user", "command", "started_at")})
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write(fd: int, data: bytes) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)
    os.fsync(fd)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())


def _shown(iso: str) -> str:
    try:
        return dt.datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M:%S %Z").strip()
    except ValueError:
        return iso
