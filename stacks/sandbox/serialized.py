"""moto answers one call at a time, as its backends need.

moto keeps each service's state in plain dicts that its handlers walk without
locks. The server answers each request on its own thread, and the engine sends
calls in parallel, so an AttachRolePolicy walking the managed policies while a
CreatePolicy added one failed with a 500 that AWS never gives. Holding a lock
around moto (and around reading its answer, which may be lazy) makes every
call see a consistent state. moto is CPU-bound under the GIL, so little
parallelism is lost. The fault injector stays outside the lock: a held call
must not stop the others.
"""

from __future__ import annotations

import threading
from typing import Callable, Iterable

from provision.stacks.sandbox.faults import Environ, StartResponse


class OneCallAtATime:
    """WSGI middleware: `app` serves one request at a time, its body read before the next starts."""

    def __init__(self, app: Callable[[Environ, StartResponse], Iterable[bytes]]) -> None:
        self.app = app
        self._lock = threading.Lock()

    def exclusively(self, action: Callable[[], None]) -> None:
        """Run `action` between two calls, none being served meanwhile (a reset of moto's state)."""
        with self._lock:
            action()

    def __call__(self, environ: Environ, start_response: StartResponse) -> list[bytes]:
        with self._lock:
            answer = self.app(environ, start_response)
            try:
                return list(answer)
            finally:
                close = getattr(answer, "close", None)
                if close is not None:
                    close()
