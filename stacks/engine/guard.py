"""The guard around every command that changes a stack: one run at a time, no dead run's leftovers, clean stops.

    with exclusive_run(ops, state_root, "provision apply plan.yaml", "provision unlock plan.yaml") as signals:
        ...engine operations...

takes the stack's provision lock (StackLocked at once when another run
holds it), refuses to start over a killed run's leftovers (UnfinishedRun,
naming the unlock command), and turns SIGINT/SIGTERM into a graceful engine
cancel (see stacks.engine.interrupt); `reported_interrupts()` around each
engine operation then words what the user needs to know.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from provision.stacks.engine.errors import EngineError
from provision.stacks.engine.interrupt import Interrupted, Signals, graceful_interrupts
from provision.stacks.engine.recovery import check_no_leftovers
from provision.stacks.engine.stack_lock import lock_file, stack_lock


@contextmanager
def exclusive_run(ops: Any, state_root: Path, command: str, unlock_command: str) -> Iterator[Signals]:
    """Hold `ops`'s stack (a StackOps) for the block, with signals made graceful."""
    spec = ops.spec
    with stack_lock(lock_file(state_root, spec.project, spec.stack, spec.backend_url), ops.label, command):
        ops.reread()  # what was read before the lock may have changed since
        check_no_leftovers(ops, unlock_command)
        with graceful_interrupts() as signals:
            yield signals


def interruption(signals: Signals, *, doing: str, next_steps: str, changes_state: bool = True) -> Interrupted:
    """What to tell the user after a signal stopped the engine while `doing` (e.g. "the update")."""
    assert signals.first is not None
    if not changes_state:
        said = f"Interrupted ({signals.name}) during {doing}: nothing was changed."
    elif signals.forced:
        said = (
            f"Interrupted twice ({signals.name}) during {doing}: the engine stopped at once, so operations in "
            f"flight may be unfinished. {next_steps} If it finds unfinished operations, it names the command "
            "that clears them."
        )
    else:
        said = (
            f"Interrupted ({signals.name}) during {doing}: the engine finished the operations in flight, recorded "
            f"them in the state and released the stack. {next_steps}"
        )
    return Interrupted(said, signals.first)


@contextmanager
def reported_interrupts(signals: Signals, *, doing: str, next_steps: str, changes_state: bool = True) -> Iterator[None]:
    """Around one engine operation: its failure, when a signal caused it, becomes `interruption()`'s message."""
    try:
        yield
    except Interrupted:
        raise
    except EngineError:
        if signals.received:
            raise interruption(signals, doing=doing, next_steps=next_steps, changes_state=changes_state) from None
        raise
