"""TransferServerProvider against moto (with the transfer gap fill)."""

from __future__ import annotations

import boto3
import pytest

from provision.stacks.providers.base import ProviderError
from provision.stacks.providers.transfer_server import TransferServerProvider

ROLE = "arn:aws:iam::123456789012:role/transfer-logging"


def _props(**overrides):
    props = {
        "protocols": ["SFTP"],
        "identity_provider_type": "SERVICE_MANAGED",
        "endpoint_type": "PUBLIC",
        "security_policy_name": "TransferSecurityPolicy-2024-01",
        "logging_role": ROLE,
        "tags": {"provision:plan": "acme"},
    }
    return {**props, **overrides}


@pytest.fixture
def logging_role(service_role) -> str:
    """ROLE, which Transfer may assume to write the server's logs."""
    assert service_role("transfer-logging", "transfer.amazonaws.com") == ROLE
    return ROLE


def test_create_then_read(aws, logging_role, region, account_id) -> None:
    provider = TransferServerProvider()

    created = provider.create(_props())

    assert created.outs["server_id"] == created.id
    assert created.outs["arn"] == f"arn:aws:transfer:{region}:{account_id}:server/{created.id}"
    assert created.outs["endpoint"] == f"{created.id}.server.transfer.{region}.amazonaws.com"
    assert provider.read(created.id, created.outs).outs == created.outs


def test_diff_identity_provider_replaces_other_settings_update() -> None:
    provider = TransferServerProvider()
    old = {**_props(), "server_id": "s-1", "arn": "arn:x", "endpoint": "h"}

    assert provider.diff("s-1", old, _props(identity_provider_type="AWS_LAMBDA")).replaces == ["identity_provider_type"]
    changed = provider.diff("s-1", old, _props(security_policy_name="TransferSecurityPolicy-2023-05", logging_role=None))
    assert changed.changes and changed.replaces == []


def test_update_changes_policy_clears_logging_and_retags(aws, logging_role) -> None:
    provider = TransferServerProvider()
    created = provider.create(_props())

    provider.update(
        created.id,
        created.outs,
        _props(security_policy_name="TransferSecurityPolicy-2023-05", logging_role=None, tags={"team": "bpo"}),
    )

    outs = provider.read(created.id, created.outs).outs
    assert (outs["security_policy_name"], outs["logging_role"], outs["tags"]) == (
        "TransferSecurityPolicy-2023-05",
        None,
        {"team": "bpo"},
    )


def test_delete_then_read_is_none_and_delete_again_is_fine(aws, logging_role) -> None:
    provider = TransferServerProvider()
    created = provider.create(_props())

    provider.delete(created.id, created.outs)

    assert provider.read(created.id, created.outs) is None
    provider.delete(created.id, created.outs)


def test_updating_a_server_deleted_by_hand_names_the_aws_error(aws, logging_role, region) -> None:
    provider = TransferServerProvider()
    created = provider.create(_props())
    boto3.client("transfer", region_name=region).delete_server(ServerId=created.id)

    with pytest.raises(ProviderError, match=rf"^Transfer server {created.id}: UpdateServer: ResourceNotFoundException: Unknown server"):
        provider.update(created.id, created.outs, _props(security_policy_name="TransferSecurityPolicy-2023-05"))


def test_create_waits_while_transfer_cannot_assume_a_new_logging_role(aws, logging_role, refuse_first) -> None:
    waits = refuse_first(
        "transfer", "CreateServer", "InvalidRequestException", f"Unable to assume role {ROLE}", times=2
    )

    created = TransferServerProvider().create(_props())

    server = boto3.client("transfer").describe_server(ServerId=created.id)["Server"]
    assert server["LoggingRole"] == ROLE
    assert waits == [1.0, 2.0]


def test_a_new_endpoint_type_replaces_the_server() -> None:
    # AWS needs EndpointDetails and a stopped server to change it: a new server is the clean way.
    old = {**_props(), "server_id": "s-1", "arn": "arn:x", "endpoint": "h"}

    assert TransferServerProvider().diff("s-1", old, _props(endpoint_type="VPC")).replaces == ["endpoint_type"]
