"""How the suite's sandboxes are started.

A new role stays invisible to services for `IAM_PROPAGATION_SECONDS` in the
suite's sandboxes; users get the 5 s default. Any positive delay still sends
every dependant through the providers' IAM retry, because dependants are
created milliseconds after their role: a shorter delay only waits less.
"""

import contextlib
import threading
from typing import Any, Iterator

IAM_PROPAGATION_SECONDS = 1.0

# The keys the CLI reaches the sandbox with (moto takes any).
SANDBOX_CREDENTIALS = ("sandbox", "sandbox-secret", None)


def sandbox_clients(info, default_region: str = "us-east-1"):
    """`make(service, region=default_region)`: boto3 clients against the sandbox `info` describes.

    One client per shape, shared: a new boto3 session and client cost about 30 ms of CPU.
    """
    from provision.stacks.aws_clients import shared_client

    def make(service: str, region: str = default_region):
        return shared_client(
            service, region, endpoint_url=info.url, credentials=SANDBOX_CREDENTIALS, verify=info.ca_bundle
        )

    return make


@contextlib.contextmanager
def served_in_process(app: Any = None) -> Iterator[str]:
    """`app` (moto's own by default, or a middleware around it) served over HTTP in this process
    by the sandbox's server, so the gap fills installed here answer; yields its URL."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from provision.stacks.sandbox.server import http_server

    server = http_server("127.0.0.1", 0, app or DomainDispatcherApplication(create_backend_app), tls=None)
    serving = threading.Thread(target=server.serve, daemon=True)
    serving.start()
    try:
        yield f"http://127.0.0.1:{server.bind_addr[1]}"
    finally:
        server.stop()
        serving.join()
