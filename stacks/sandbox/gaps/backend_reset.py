"""moto's reset drops every backend without first re-creating each one.

moto 5.2.1's BackendDict.reset re-initialises every backend, then drops them
all: each reset pays for new IAM backends (the 1,500 AWS managed policies
each) and EC2 backends (default VPCs, AMIs) that nothing will use. The next
call to a service makes a new, empty backend either way, so dropping them is
the same reset. Backends with a reset of their own still run it (S3 closes its
objects' temporary files). The server resets through it (stacks.sandbox.reset),
and so does every `mock_aws` start and stop.
"""

from __future__ import annotations

from moto.core.base_backend import BackendDict, BaseBackend, backend_lock


def drop_backends(cls: type[BackendDict] = BackendDict) -> None:
    with backend_lock:
        for service in cls._instances:
            for per_account in service.values():
                for backend in per_account.values():
                    if type(backend).reset is not BaseBackend.reset:
                        backend.reset()
            service.clear()
        cls._instances.clear()


def install() -> None:
    BackendDict.reset = classmethod(drop_backends)  # type: ignore[method-assign,assignment]
