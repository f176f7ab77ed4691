"""Reset a running sandbox server in place: the same process becomes a new, empty instance.

`POST /_provision/reset` with `{"instanceId": ..., "iamPropagationSeconds": ...}`
empties every moto backend between two calls (none runs meanwhile: the
serialized app's lock); then the server resets its own state
(stacks.sandbox.server: faults cleared, the IAM propagation delay set, the
info file rewritten with the new instance id). A restart would cost seconds
of CPU (moto's import and the managed IAM policies); this costs the managed
policies only, on the next IAM call.
"""

from __future__ import annotations

import json
from typing import Callable, Iterable

from provision.stacks.sandbox.faults import Environ, StartResponse

RESET_PATH = "/_provision/reset"


class InstanceReset:
    """WSGI middleware: answers RESET_PATH; every other request goes to `app`."""

    def __init__(
        self,
        app: Callable[[Environ, StartResponse], Iterable[bytes]],
        *,
        exclusively: Callable[[Callable[[], None]], None],
        on_reset: Callable[[str, float], None],
    ) -> None:
        """`on_reset(instance_id, iam_propagation_seconds)` resets the server's own state, after moto's."""
        self.app, self._exclusively, self._on_reset = app, exclusively, on_reset

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != RESET_PATH:
            return self.app(environ, start_response)
        if environ.get("REQUEST_METHOD") != "POST":
            return _answer(start_response, "405 Method Not Allowed", {"error": f"POST {RESET_PATH}"})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            request = json.loads(environ["wsgi.input"].read(length) or b"{}")
            instance_id, propagation = str(request["instanceId"]), float(request["iamPropagationSeconds"])
        except (ValueError, KeyError, TypeError) as exc:
            return _answer(start_response, "400 Bad Request", {"error": f"bad reset request: {exc}"})

        def reset() -> None:
            from moto.moto_api._internal.models import moto_api_backend

            moto_api_backend.reset()  # cheap once the backend_reset gap is in (stacks.sandbox.gaps)
            self._on_reset(instance_id, propagation)

        self._exclusively(reset)
        return _answer(start_response, "200 OK", {"instanceId": instance_id})


def _answer(start_response: StartResponse, status: str, body: dict) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]
