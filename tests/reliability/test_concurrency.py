"""Two runs on one stack: the second fails at once, saying who holds the stack, and corrupts nothing.

The first apply is a real process held mid-update by the fault injector; the
second (apply, then destroy) runs as another real process while it waits.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest

from provision.stacks.sandbox.faults import FaultConfig, Rule

pytestmark = pytest.mark.e2e

PLAN = "rel-busy"
WAIT = 240.0


def test_a_second_run_on_a_busy_stack_fails_at_once_naming_the_holder(
    write_plan, provision_process, faults, inventory, state_ids
) -> None:
    plan = write_plan(PLAN)
    # Hold the first apply mid-update until the second runs have come and gone.
    faults.set(FaultConfig(rules=(Rule(service="s3", method="PUT", path=rf"^/{PLAN}-test-web-site-[0-9a-f]{{8}}\?$",
                                       code="ServiceUnavailable", status=503, hold=WAIT, times=1),)))
    first = provision_process("apply", str(plan), "--yes")
    deadline = time.monotonic() + WAIT
    while faults.stats()["injected"] == 0:
        assert first.poll() is None and time.monotonic() < deadline, "the first apply never got going"
        time.sleep(0.2)

    for command in ("apply", "destroy"):
        second = provision_process(command, str(plan), "--yes")
        output, _ = second.communicate(timeout=WAIT)
        assert second.returncode == 1, output
        assert re.search(
            rf"Error: Stack {PLAN}/test is locked by `provision apply {re.escape(str(plan))}` \(pid {first.pid} on "
            r"host \S+, user \S+, started [0-9-]+ [0-9:]+ UTC\)\. Wait for that run to finish, then run this command "
            r"again; nothing was changed\.\n",
            output,
        ), output
        assert first.poll() is None, "the second run must not wait for the first"

    faults.clear()  # the held call answers (a retried 503) and the first apply goes on
    output, _ = first.communicate(timeout=WAIT)
    assert first.returncode == 0, output
    assert "Applied in " in output and ": 13 created, " in output
    assert len(state_ids(plan)) == 13 and inventory(PLAN) == state_ids(plan)


HOLD_LOCK = (
    "import fcntl, os, sys, time\n"
    "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
    "fcntl.flock(fd, fcntl.LOCK_EX)\n"
    "print('held', flush=True)\n"
    "time.sleep(600)\n"
)


def test_a_lock_holder_that_dies_never_blocks_the_next_run(tmp_path) -> None:
    from provision.stacks.engine.stack_lock import StackLocked, read_holder, stack_lock

    path = tmp_path / "s.lock"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(StackLocked) as caught:
            with stack_lock(path, "p/s", "provision apply p.yaml"):
                pass
        # This holder wrote nothing about itself: the message still says what is going on.
        assert str(caught.value) == (
            "Stack p/s is locked by another provision run that is just starting. Wait for that run to finish, then "
            "run this command again; nothing was changed."
        )
    finally:
        holder.kill()  # SIGKILL: no clean-up runs, yet the operating system releases the flock
        holder.wait()
    with stack_lock(path, "p/s", "provision apply p.yaml") as mine:
        assert read_holder(path) == mine
    assert read_holder(path) is None
