"""What verify reads on a target: the stack's deployment, and clients for the target."""

from __future__ import annotations

from typing import Any

from provision.stacks.verify.model import ClientFactory


def deployment_of(ops: Any) -> dict[str, Any] | None:
    """The exported deployment of a StackOps' stack; None when the stack does not exist.

    On the sandbox, a state whose resources lived in another sandbox instance
    is refused (StaleSandboxState), as every other stack operation does.
    """
    return ops.deployment(checked=True)


def target_clients(target: Any) -> ClientFactory:
    """Clients for a Target, built from its env the way the providers' clients are
    (endpoint, credentials, region, the providers' retry policy)."""
    from provision.stacks.aws_clients import shared_client
    from provision.stacks.providers.base import RETRY_CONFIG

    env = target.env
    credentials = (env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY"), env.get("AWS_SESSION_TOKEN"))

    def make(service: str, region: str | None = None) -> Any:
        return shared_client(
            service, region or target.region, endpoint_url=target.endpoint, credentials=credentials, config=RETRY_CONFIG,
            verify=env.get("AWS_CA_BUNDLE"),
        )

    return make
