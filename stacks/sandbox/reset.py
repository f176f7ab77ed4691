"""Reset a running sandbox server in place: the same process becomes a new, empty instance.

`POST /_provision/reset` with `{"instanceId": ..., "iamPropagationSeconds": ...}`
empties every moto backend between two calls (none runs meanwhile: the
serialized app's lock); then the server resets its own state (stacks.sandbox.server:
faults cleared, the IAM propagation delay set, the info file rewritten with
the new instance id). A
restart would cost seconds of CPU (moto's import and the managed IAM
policies); this costs the managed policies only, on the next IAM call.
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
            empty_moto()
            self._on_reset(instance_id, propagation)

        self._exclusively(reset)
        return _answer(start_response, "200 OK", {"instanceId": instance_id})


def empty_moto() -> None:
    """Drop every moto backend: the next call to a service makes a new, empty one.

    What moto's own reset does, less its waste: it re-creates every backend
    before dropping it, and a new IAM backend loads the 1,500 AWS managed
    policies. Backends with a reset of their own still run it (S3 closes its
    objects' temporary files).
    """
    from moto.core.base_backend import BackendDict, BaseBackend, backend_lock
    from moto.core.model_instances import reset_model_data

    with backend_lock:
        for service in BackendDict._instances:
            for per_account in service.values():
                for backend in per_account.values():
                    if type(backend).reset is not BaseBackend.reset:
                        backend.reset()
            service.clear()
        BackendDict._instances.clear()
    reset_model_data()


def _answer(start_response: StartResponse, status: str, body: dict) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]
