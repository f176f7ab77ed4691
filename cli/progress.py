"""Live per-resource progress of an apply or destroy.

On a terminal, a rich live view shows the resources in flight with spinners
and prints a line as each one finishes. Elsewhere (CI logs, pipes) it prints
one plain line per finished or failed resource. Engine events arrive on
several threads; a lock keeps the output whole.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator

from rich.console import Console, Group
from rich.live import Live
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from provision.stacks.engine.events import CREATE, DELETE, READ, REPLACE, SAME, UPDATE, ResourceChange

SYMBOL = {CREATE: "+", UPDATE: "~", REPLACE: "+-", DELETE: "-", READ: ">", SAME: " "}
STYLE = {CREATE: "green", UPDATE: "yellow", REPLACE: "magenta", DELETE: "red", READ: "cyan", SAME: "dim"}
DOING = {CREATE: "creating", UPDATE: "updating", REPLACE: "replacing", DELETE: "deleting", READ: "reading"}
DONE = {CREATE: "created", UPDATE: "updated", REPLACE: "replaced", DELETE: "deleted", READ: "read"}


@contextmanager
def working(message: str, console: Console | None = None) -> Iterator[None]:
    """A spinner on stderr while the engine thinks (previews, state reads); terminals only."""
    console = console or Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    with console.status(message):
        yield


def resource_label(change: ResourceChange) -> str:
    owner = f" ({change.function})" if change.function else ""
    return f"{change.label}{owner}"


class LiveProgress:
    """A StepListener that renders progress; use as a context manager around the operation."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True, highlight=False)
        self._lock = threading.Lock()
        self._active: dict[str, tuple[ResourceChange, float]] = {}
        self._done = 0
        self._failed = 0
        self._live: Live | None = None

    # -- context ------------------------------------------------------------------------
    def __enter__(self) -> "LiveProgress":
        if self.console.is_terminal:
            self._live = Live(self._render(), console=self.console, refresh_per_second=8, transient=True)
            self._live.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    # -- StepListener -------------------------------------------------------------------
    def started(self, change: ResourceChange) -> None:
        if change.op == SAME:
            return
        with self._lock:
            self._active.setdefault(change.urn, (change, time.monotonic()))
            self._refresh()

    def finished(self, change: ResourceChange) -> None:
        if change.op == SAME:
            return
        with self._lock:
            _, since = self._active.pop(change.urn, (change, time.monotonic()))
            self._done += 1
            line = Text.assemble(
                (f"{SYMBOL[change.op]:>2} ", STYLE[change.op]),
                (f"{DONE.get(change.op, change.op):<9}", STYLE[change.op]),
                f" {resource_label(change)}",
                (f"  {time.monotonic() - since:.1f}s", "dim"),
            )
            self.console.print(line, soft_wrap=True)
            self._refresh()

    def failed(self, change: ResourceChange, message: str) -> None:
        with self._lock:
            self._active.pop(change.urn, None)
            self._failed += 1
            self.console.print(
                Text.assemble((" x failed   ", "bold red"), f" {resource_label(change)}: ", (message, "red")),
                soft_wrap=True,
            )
            self._refresh()

    # -- rendering ----------------------------------------------------------------------
    def _refresh(self) -> None:
        if self._live is not None:
            self._live.update(self._render())

    def _render(self) -> Group:
        table = Table.grid(padding=(0, 1))
        now = time.monotonic()
        for change, since in list(self._active.values()):
            table.add_row(
                Spinner("dots", style=STYLE[change.op]),
                Text(DOING.get(change.op, change.op), style=STYLE[change.op]),
                Text(resource_label(change)),
                Text(f"{now - since:.0f}s", style="dim"),
            )
        counts = f"{self._done} done" + (f", {self._failed} failed" if self._failed else "")
        return Group(table, Text(counts, style="dim"))
