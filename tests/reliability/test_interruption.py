"""Stopping an apply: Ctrl-C and SIGTERM stop cleanly; a SIGKILL's leftovers are explained and cleared by unlock.

A real `provision apply` process runs against the session sandbox while the
fault injector holds one of the site bucket's calls in flight (then answers
503 once, which botocore retries), so the signal lands mid-update,
deterministically: its CreateBucket, or a later call, after which the bucket
exists in AWS but not in the state, to be adopted by the next apply. Ctrl-C
is sent the way a terminal sends it, to the whole foreground process group;
SIGTERM to the process alone, as a CI runner does.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import time
from pathlib import Path
from typing import Callable

import pytest

from provision.stacks.sandbox.faults import FaultConfig, FaultControl, Rule

pytestmark = pytest.mark.e2e

HASH = "[0-9a-f]{8}"
WAIT = 240.0  # seconds; a generous bound for a busy machine, never a timing assertion


def hold_site_bucket(faults: FaultControl, plan: str) -> Rule:
    """Hang the site bucket's CreateBucket until the faults are cleared, then fail it once with a retried 503."""
    rule = Rule(service="s3", method="PUT", path=rf"^/{plan}-test-web-site-{HASH}\?$", code="ServiceUnavailable",
                status=503, message="held", hold=WAIT, times=1)
    faults.set(FaultConfig(rules=(rule,)))
    return rule


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.2)


def exited(pid: int) -> bool:
    """The process is gone, or a zombie: the suite, a child subreaper, inherits orphans and reaps them."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return True
    except ChildProcessError:
        pass  # not (yet) ours
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2 :].startswith("Z")


def read_until(proc, text: str) -> str:
    """The process's output up to and including the first line holding `text`."""
    assert proc.stdout is not None
    lines: list[str] = []
    while not lines or text not in lines[-1]:
        line = proc.stdout.readline()
        assert line, f"the process ended without printing {text!r}:\n{''.join(lines)}"
        lines.append(line)
    return "".join(lines)


def stack_file(state_root: Path, plan: str) -> dict:
    return json.loads((state_root / "sandbox" / "pulumi" / "backend" / ".pulumi" / "stacks" / plan / "test.json").read_text())


def engine_lock_files(state_root: Path, plan: str) -> list[Path]:
    return sorted((state_root / "sandbox" / "pulumi" / "backend" / ".pulumi" / "locks").glob(f"*/{plan}/test/*.json"))


def pending(state_root: Path, plan: str) -> list[str]:
    latest = stack_file(state_root, plan)["checkpoint"].get("latest") or {}
    return [f"{op['type']} {op['resource']['urn'].rsplit('::', 1)[-1]}" for op in latest.get("pending_operations") or []]


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_a_signal_mid_apply_stops_cleanly_and_the_next_apply_converges(
    how: str, write_plan, provision_process, faults, cli, inventory, state_ids, sandbox_state
) -> None:
    name = f"rel-stop-{how}"
    plan = write_plan(name)
    hold_site_bucket(faults, name)
    proc = provision_process("apply", str(plan), "--yes")
    wait_until(lambda: faults.stats()["injected"] == 1, "the site bucket's create to be in flight")
    if how == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal does: the whole foreground group
    else:
        proc.send_signal(signal.SIGTERM)
    signum = signal.SIGINT if how == "ctrl-c" else signal.SIGTERM
    # The call stays in flight until the CLI says it has the signal; then it answers.
    before = read_until(proc, f"{signum.name} received: finishing the operations in flight")
    faults.clear()
    rest, _ = proc.communicate(timeout=WAIT)
    output = before + rest

    assert proc.returncode == 128 + signum, output
    assert "Traceback" not in output
    assert (
        f"Error: Interrupted ({signum.name}) during the update: the engine finished the operations in flight, "
        f"recorded them in the state and released the stack. Run `provision apply {plan}` to finish, or "
        f"`provision destroy {plan}` to remove what was made.\n"
    ) in output
    # The create in flight finished and was recorded; nothing is pending, nothing is locked, nothing orphaned.
    assert pending(sandbox_state.root, name) == []
    assert engine_lock_files(sandbox_state.root, name) == []
    recorded = state_ids(plan)
    assert any("web-site" in rid for rid in recorded)
    assert len(recorded) < 13, "the engine must not start new steps once interrupted"
    assert inventory(name) == recorded

    again = cli("apply", str(plan), "--yes")
    assert again.exit_code == 0, again.output
    assert f" {len(recorded)} unchanged." in again.stdout
    assert len(state_ids(plan)) == 13 and inventory(name) == state_ids(plan)


def kill_mid_create(plan: Path, name: str, held: Rule, provision_process, sandbox_state, faults: FaultControl) -> int:
    """Start an apply, SIGKILL it while the `held` site-bucket call is its only step in flight; the engine's pid."""
    proc = provision_process("apply", str(plan), "--yes")
    # Everything that does not wait for the site bucket is created first: then it is the only step in flight.
    created: list[str] = []
    assert proc.stdout is not None
    while len(created) < 10:
        line = proc.stdout.readline()
        assert line, "apply ended before the expected creates"
        if " created " in line:
            created.append(line)
    # The engine saves each step a moment after reporting it: kill once the state shows only the held create.
    wait_until(lambda: pending(sandbox_state.root, name) == ["creating web-site"], "the state to record the creates")
    proc.kill()
    proc.communicate()
    assert faults.stats()["injected"] == 1
    [lock] = engine_lock_files(sandbox_state.root, name)
    engine_pid = json.loads(lock.read_text())["pid"]
    # The held call answers, so the orphaned engine can notice its client is gone; it and every retry
    # of it fail, so nothing the killed run sent reaches AWS (its provider host outlives the engine
    # by up to a second, and a retried CreateBucket made the bucket once).
    faults.set(FaultConfig(rules=(dataclasses.replace(held, hold=0.0, times=None),)))
    wait_until(lambda: exited(engine_pid), "the orphaned engine process to exit")
    assert engine_lock_files(sandbox_state.root, name) == [lock]
    assert pending(sandbox_state.root, name) == ["creating web-site"]
    return engine_pid


def test_a_killed_apply_is_explained_and_unlock_clears_it(
    write_plan, provision_process, faults, cli, inventory, state_ids, sandbox_state
) -> None:
    name = "rel-killed"
    plan = write_plan(name)
    held = hold_site_bucket(faults, name)
    engine_pid = kill_mid_create(plan, name, held, provision_process, sandbox_state, faults)

    refused = cli("apply", str(plan), "--yes")
    assert refused.exit_code == 1
    assert re.search(
        rf"Error: The last run on stack {name}/test was stopped before it could finish \(killed, or its machine went "
        rf"away\): the engine's lock is still held \(pid {engine_pid} on host \S+, started [0-9-]+ [0-9:]+ UTC\) and "
        rf"1 operation\(s\) it started never finished: creating web-site \({name}-test-web-site-{HASH}\)\. Nothing "
        rf"was changed now\. Run `provision unlock {re.escape(str(plan))}` to release the stack and clear those "
        r"operations, then run this command again\.",
        refused.output,
    ), refused.output

    faults.clear()
    unlocked = cli("unlock", str(plan), "--yes")
    assert unlocked.exit_code == 0, unlocked.output
    assert f"Released {name}/test on target sandbox.\n" in unlocked.stdout
    assert "1 resource(s) were being created when the run stopped" in unlocked.stdout
    assert engine_lock_files(sandbox_state.root, name) == [] and pending(sandbox_state.root, name) == []
    assert cli("unlock", str(plan), "--yes").stdout == (
        f"Nothing to unlock: {name}/test on target sandbox is not locked and has no unfinished operations.\n"
    )

    # The held call never reached AWS, so the bucket does not exist: the next apply simply creates the rest.
    again = cli("apply", str(plan), "--yes")
    assert again.exit_code == 0, again.output
    assert len(state_ids(plan)) == 13 and inventory(name) == state_ids(plan)


def test_a_bucket_made_before_the_kill_is_adopted_by_the_next_apply(
    write_plan, provision_process, faults, cli, inventory, state_ids, sandbox_state, sandbox_client
) -> None:
    name = "rel-adopt"
    plan = write_plan(name)
    # CreateBucket and the tags go through; the next call of the bucket's create hangs, and the run is killed.
    rule = Rule(service="s3", method="PUT", path=rf"^/{name}-test-web-site-{HASH}\?publicAccessBlock", code="ServiceUnavailable",
                status=503, message="held", hold=WAIT, times=1)
    faults.set(FaultConfig(rules=(rule,)))
    kill_mid_create(plan, name, rule, provision_process, sandbox_state, faults)
    [bucket] = [b for b in inventory(name) if b.startswith(f"{name}-test-web-site-")]
    assert bucket not in state_ids(plan)  # AWS has it, the state does not

    faults.clear()
    unlocked = cli("unlock", str(plan), "--yes")
    assert unlocked.exit_code == 0, unlocked.output
    assert f"web-site ({bucket})" in unlocked.stdout
    assert "S3 buckets and IAM roles among them that carry this plan's tags are adopted by the next apply" in unlocked.stdout

    again = cli("apply", str(plan), "--yes")
    assert again.exit_code == 0, again.output
    assert bucket in state_ids(plan)
    assert len(state_ids(plan)) == 13 and inventory(name) == state_ids(plan)  # adopted: no duplicate, no orphan
    public = sandbox_client("s3").get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(public.values())  # and configured as the plan says
