"""TransferUserProvider against moto (with the transfer gap fill)."""

from __future__ import annotations

import boto3
import pytest

from provision.stacks.providers.base import ProviderError
from provision.stacks.providers.transfer_user import TransferUserProvider, chroot_mappings

ROLE = "arn:aws:iam::123456789012:role/partner-acme"
KEY_A = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAcmeAcmeAcmeAcmeAcmeAcmeAcmeAcmeAcmeAcmeAcme acme@a"
KEY_B = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBbbbBbbbBbbbBbbbBbbbBbbbBbbbBbbbBbbbBbbbBbbb acme@b"


@pytest.fixture
def server_id(aws, region) -> str:
    return boto3.client("transfer", region_name=region).create_server(Protocols=["SFTP"])["ServerId"]


def _props(server_id: str, **overrides):
    props = {
        "server_id": server_id,
        "user_name": "acme",
        "role": ROLE,
        "home_directory_mappings": chroot_mappings("drop-zone", "partners/acme/"),
        "ssh_public_keys": [KEY_A],
        "tags": {"provision:plan": "acme"},
    }
    return {**props, **overrides}


def test_chroot_mappings_point_root_at_the_prefix() -> None:
    assert chroot_mappings("drop-zone", "/partners/acme/") == [{"entry": "/", "target": "/drop-zone/partners/acme"}]


def test_create_then_read(server_id: str, region, account_id) -> None:
    provider = TransferUserProvider()

    created = provider.create(_props(server_id))

    assert created.id == f"{server_id}/acme"
    assert created.outs["arn"] == f"arn:aws:transfer:{region}:{account_id}:user/{server_id}/acme"
    user = boto3.client("transfer", region_name=region).describe_user(ServerId=server_id, UserName="acme")["User"]
    assert user["HomeDirectoryType"] == "LOGICAL"
    assert provider.read(created.id, created.outs).outs == created.outs


def test_diff_server_or_name_replaces_the_rest_updates() -> None:
    provider = TransferUserProvider()
    old = {**_props("s-1"), "arn": "arn:x"}

    assert provider.diff("s-1/acme", old, {**_props("s-1"), "server_id": "s-2"}).replaces == ["server_id"]
    assert provider.diff("s-1/acme", old, _props("s-1", user_name="other")).replaces == ["user_name"]
    changed = provider.diff("s-1/acme", old, _props("s-1", role="arn:r", ssh_public_keys=[], tags={}))
    assert changed.changes and changed.replaces == []


def test_update_role_home_keys_and_tags(server_id: str) -> None:
    provider = TransferUserProvider()
    created = provider.create(_props(server_id))
    news = _props(
        server_id,
        role=ROLE + "-v2",
        home_directory_mappings=chroot_mappings("drop-zone", "partners/acme-new"),
        ssh_public_keys=[KEY_B],
        tags={"team": "bpo"},
    )

    provider.update(created.id, created.outs, news)

    outs = provider.read(created.id, created.outs).outs
    assert {k: outs[k] for k in news} == news


def test_delete_then_read_is_none_and_delete_again_is_fine(server_id: str) -> None:
    provider = TransferUserProvider()
    created = provider.create(_props(server_id))

    provider.delete(created.id, created.outs)

    assert provider.read(created.id, created.outs) is None
    provider.delete(created.id, created.outs)


def test_a_missing_server_names_the_aws_error(aws) -> None:
    with pytest.raises(ProviderError, match=r"^Transfer user s-00000000000000000/acme: CreateUser: ResourceNotFoundException: Unknown server: s-00000000000000000$"):
        TransferUserProvider().create(_props("s-00000000000000000"))
