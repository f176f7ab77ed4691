"""Ctrl-C and SIGTERM during an engine run: stop cleanly, never half-way.

The engine cancels gracefully on its first SIGINT: it starts no new step,
lets the ones in flight finish, writes the state and releases its lock; a
second SIGINT stops it at once. Left to themselves, signals go wrong: Ctrl-C
reaches the engine *and* this process, which then tears down the inline
program's language host under the engine; SIGTERM (a CI runner cancelling a
job) kills this process and strands the engine with no program, a lock and
pending operations.

So engine commands run in their own session (`EngineCommand`), out of reach
of the terminal's signals, and `graceful_interrupts()` turns SIGINT and
SIGTERM into exactly one SIGINT for the running engine command, a second
signal into a second SIGINT (stop now), and a signal between engine
commands into `Interrupted` at once. This process keeps serving the program
until the engine has finished stopping.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Optional

from pulumi.automation import PulumiCommand
from pulumi.automation._cmd import CommandResult, OnOutput, VersionInfo
from pulumi.automation.errors import create_command_error

from provision.stacks.engine.errors import EngineError

HANDLED = (signal.SIGINT, signal.SIGTERM)

_running: list[subprocess.Popen] = []  # engine commands now running (normally at most one)
_running_lock = threading.Lock()


class EngineCommand(PulumiCommand):
    """The automation API's pulumi runner, with each command in its own session so signals reach it only through us."""

    def __init__(self, binary: str, version: str) -> None:
        # The stock constructor runs `pulumi version` to learn what the engine's locator
        # already verified; at 0.15 s of CPU per workspace, that was a fifth of a no-op plan.
        self.command = binary
        self.version = VersionInfo.parse(version)

    def run(
        self,
        args: list[str],
        cwd: str,
        additional_env: Mapping[str, str],
        on_output: Optional[OnOutput] = None,
        on_error: Optional[OnOutput] = None,
    ) -> CommandResult:
        if "--non-interactive" not in args:
            args = ["--non-interactive", *args]
        env = {**os.environ, **additional_env, "PULUMI_AUTOMATION_API": "true"}
        if os.path.isabs(self.command):
            env["PATH"] = os.pathsep.join([os.path.dirname(self.command), env.get("PATH", "")])
        out: list[str] = []
        err: list[str] = []
        with subprocess.Popen(
            [self.command, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env,
            encoding="utf-8", start_new_session=True,
        ) as process:
            readers = [
                threading.Thread(target=_drain, args=(process.stdout, on_output, out), daemon=True),
                threading.Thread(target=_drain, args=(process.stderr, on_error, err), daemon=True),
            ]
            with _running_lock:
                _running.append(process)
            try:
                for reader in readers:
                    reader.start()
                code = process.wait()
                for reader in readers:
                    reader.join()
            finally:
                with _running_lock:
                    _running.remove(process)
        result = CommandResult(stdout="\n".join(out), stderr="\n".join(err), code=code)
        if code != 0:
            raise create_command_error(result)
        return result


def _drain(stream: Any, callback: Optional[OnOutput], lines: list[str]) -> None:
    for line in iter(stream.readline, ""):
        line = line.rstrip()
        if callback is not None:
            callback(line)
        lines.append(line)
    stream.close()


class Interrupted(EngineError):
    """A signal stopped the command; the message says what state it left."""

    def __init__(self, message: str, signum: int) -> None:
        super().__init__(message)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum  # the shell's convention: 130 for SIGINT, 143 for SIGTERM


@dataclass
class Signals:
    """The signals received inside `graceful_interrupts()`."""

    received: list[int] = field(default_factory=list)
    # What a signal between engine commands leaves behind; commands update it as they go.
    between: str = "nothing was changed."

    @property
    def first(self) -> int | None:
        return self.received[0] if self.received else None

    @property
    def name(self) -> str:
        return signal.Signals(self.first).name if self.first is not None else ""

    @property
    def forced(self) -> bool:
        """A second signal: the engine was told to stop at once, not after the steps in flight."""
        return len(self.received) > 1


def _stopping_note(signum: int, *, forced: bool) -> str:
    name = signal.Signals(signum).name
    if forced:
        return f"{name} again: stopping now, without waiting for the operations in flight.\n"
    return f"{name} received: finishing the operations in flight, then stopping (send it again to stop at once).\n"


def _say(text: str) -> None:
    # A signal handler may interrupt a print on the same stream: write to the descriptor directly.
    try:
        os.write(2, text.encode())
    except OSError:
        pass


@contextmanager
def graceful_interrupts() -> Iterator[Signals]:
    """Forward SIGINT/SIGTERM to the running engine command as SIGINT; between commands raise Interrupted.

    Only the main thread can set signal handlers; elsewhere the block runs unprotected.
    """
    signals = Signals()
    if threading.current_thread() is not threading.main_thread():
        yield signals
        return

    def handle(signum: int, _frame: Any) -> None:
        signals.received.append(signum)
        with _running_lock:
            engines = list(_running)
        for process in engines:
            try:
                process.send_signal(signal.SIGINT)
            except ProcessLookupError:
                pass
        if engines:
            _say(_stopping_note(signum, forced=len(signals.received) > 1))
        else:
            raise Interrupted(f"Interrupted ({signal.Signals(signum).name}): {signals.between}", signum)

    previous = {signum: signal.signal(signum, handle) for signum in HANDLED}
    try:
        yield signals
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
