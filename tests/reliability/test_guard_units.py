"""The machinery behind clean stops and clear locks, without the engine: signals, leftovers, messages."""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
from pathlib import Path

import pytest
from pulumi.automation import CommandError

from provision.stacks.engine.guard import interruption
from provision.stacks.engine.interrupt import EngineCommand, Interrupted, Signals, graceful_interrupts
from provision.stacks.engine.recovery import Leftovers, UnfinishedRun, engine_locks, pending_operations
from provision.stacks.engine.workspace import StackSpec

# Stands in for the pulumi binary: reports its session, then waits for SIGINT like the engine cancelling.
FAKE_ENGINE = f"""#!{sys.executable}
import os, signal, sys, time
if sys.argv[1:] == ["version"]:
    print("v3.259.0")
    sys.exit(0)
def cancel(signum, frame):
    print("cancelling on", signal.Signals(signum).name, flush=True)
    sys.exit(7)
signal.signal(signal.SIGINT, cancel)
print("session", os.getsid(0), flush=True)
time.sleep(60)
"""


@pytest.fixture
def fake_engine(tmp_path: Path) -> EngineCommand:
    binary = tmp_path / "bin" / "pulumi"
    binary.parent.mkdir()
    binary.write_text(FAKE_ENGINE)
    binary.chmod(0o755)
    return EngineCommand(str(binary), "3.259.0")


def test_a_signal_reaches_the_engine_as_one_sigint_in_its_own_session(fake_engine: EngineCommand) -> None:
    lines: list[str] = []

    def on_output(line: str) -> None:
        lines.append(line)
        if line.startswith("session"):
            os.kill(os.getpid(), signal.SIGTERM)  # as a CI runner cancelling the job

    with graceful_interrupts() as signals:
        with pytest.raises(CommandError):
            fake_engine.run(["up"], cwd=".", additional_env={}, on_output=on_output)
    assert signals.received == [signal.SIGTERM]
    assert lines[-1] == "cancelling on SIGINT"
    assert int(lines[0].split()[1]) != os.getsid(0), "the engine must not share the terminal's session"
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # handlers restored


def test_a_signal_between_engine_commands_stops_at_once() -> None:
    with pytest.raises(Interrupted) as caught:
        with graceful_interrupts() as signals:
            signals.between = "nothing was changed."
            os.kill(os.getpid(), signal.SIGINT)
    assert str(caught.value) == "Interrupted (SIGINT): nothing was changed."
    assert caught.value.exit_code == 130


@pytest.mark.parametrize(
    ("received", "changes_state", "message", "code"),
    [
        ([signal.SIGINT], False, "Interrupted (SIGINT) during the preview: nothing was changed.", 130),
        (
            [signal.SIGTERM], True,
            "Interrupted (SIGTERM) during the update: the engine finished the operations in flight, recorded them in "
            "the state and released the stack. Run apply.",
            143,
        ),
        (
            [signal.SIGINT, signal.SIGINT], True,
            "Interrupted twice (SIGINT) during the update: the engine stopped at once, so operations in flight may be "
            "unfinished. Run apply. If it finds unfinished operations, it names the command that clears them.",
            130,
        ),
    ],
)
def test_what_an_interruption_tells_the_user(received, changes_state, message, code) -> None:
    doing = "the update" if changes_state else "the preview"
    said = interruption(Signals(received=received), doing=doing, next_steps="Run apply.", changes_state=changes_state)
    assert (str(said), said.exit_code) == (message, code)


def spec_for(backend: Path) -> StackSpec:
    return StackSpec(project="acme", stack="prod", backend_url=backend.as_uri(), work_dir=backend, env={})


def write_lock(backend: Path, pid: int, host: str) -> None:
    path = backend / ".pulumi" / "locks" / "organization" / "acme" / "prod" / "x.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"pid": pid, "username": "u", "hostname": host, "timestamp": "2026-01-02T03:04:05.123456789Z"}))


def test_engine_locks_tell_dead_live_and_foreign_holders(tmp_path: Path) -> None:
    here = socket.gethostname()
    write_lock(tmp_path, 2**22 + 12345, here)  # no such pid
    [dead] = engine_locks(spec_for(tmp_path))
    assert (dead.alive, dead.describe()) == (False, f"pid {2**22 + 12345} on host {here}, started 2026-01-02 03:04:05 UTC")
    write_lock(tmp_path, os.getpid(), here)  # alive, but not an engine process
    assert engine_locks(spec_for(tmp_path))[0].alive is False
    write_lock(tmp_path, 1, "elsewhere")
    assert engine_locks(spec_for(tmp_path))[0].alive is None
    assert engine_locks(StackSpec("acme", "prod", "s3://bucket", tmp_path, {})) == []


def test_pending_operations_name_what_to_look_for_in_aws() -> None:
    deployment = {
        "pending_operations": [
            {"type": "creating", "resource": {"urn": "urn:pulumi:prod::acme::t::web-site",
                                               "inputs": {"bucket_name": "b-1", "tags": {}, "__provider": "x"}}},
            {"type": "deleting", "resource": {"urn": "urn:pulumi:prod::acme::t::web-key", "inputs": {"alias": "alias/k"}}},
        ]
    }
    ops = pending_operations(deployment)
    assert [op.describe() for op in ops] == ["creating web-site (b-1)", "deleting web-key (alias/k)"]
    message = str(UnfinishedRun("acme/prod", Leftovers(pending=ops), "provision unlock p.yaml"))
    assert message == (
        "The last run on stack acme/prod was stopped before it could finish (killed, or its machine went away): "
        "2 operation(s) it started never finished: creating web-site (b-1), deleting web-key (alias/k). Nothing was "
        "changed now. Run `provision unlock p.yaml` to release the stack and clear those operations, then run this "
        "command again."
    )
    assert pending_operations(None) == [] and Leftovers().empty
