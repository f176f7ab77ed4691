"""A service-managed Transfer Family user: its server and name (fixed), IAM role,
logical home directory mappings (a chroot onto an S3 prefix), SSH public keys, tags.

SSH public keys are public material, kept in state and outputs as given.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import pulumi
import pulumi.dynamic

from provision.stacks.providers.base import (
    AwsResourceProvider,
    CreateResult,
    ReadResult,
    UpdateResult,
    aws_call,
    client,
    rollback_on_failure,
    tag_list,
)
from provision.stacks.providers.calls import call_or_none
from provision.stacks.providers.tag_sync import tags_of
from provision.stacks.providers.transfer_server import sync_transfer_tags


def chroot_mappings(bucket: str, prefix: str) -> list[dict[str, str]]:
    """Mappings that make `/` the user's view of s3://bucket/prefix and nothing else."""
    return [{"entry": "/", "target": f"/{bucket}/{prefix.strip('/')}"}]


def _api_mappings(mappings: Sequence[Mapping[str, str]] | None) -> list[dict[str, str]]:
    return [{"Entry": m["entry"], "Target": m["target"], "Type": "DIRECTORY"} for m in mappings or ()]


def _home_and_role(props: Mapping[str, Any]) -> dict[str, Any]:
    """The CreateUser/UpdateUser settings this resource manages."""
    return {
        "Role": props["role"],
        "HomeDirectoryType": "LOGICAL",
        "HomeDirectoryMappings": _api_mappings(props.get("home_directory_mappings")),
    }


def _user_id(server_id: str, user_name: str) -> str:
    return f"{server_id}/{user_name}"


def _split_id(id_: str) -> tuple[str, str]:
    server_id, _, user_name = id_.partition("/")
    return server_id, user_name


class TransferUserProvider(AwsResourceProvider):
    REPLACE_ON = frozenset({"server_id", "user_name"})
    OUTPUTS = frozenset({"arn"})
    UNIQUE_BY = frozenset({"server_id", "user_name"})
    SET_LIKE = frozenset({"ssh_public_keys"})
    # What verify and the other providers need to know of this kind (see AwsResourceProvider).
    INVENTORY_MARKER = "home_directory_mappings"
    NOT_FOUND = frozenset({"ResourceNotFoundException"})
    EXISTENCE_PROBE = "existence:_user"
    TAG_READER = ("tags:_arn_list", "transfer", "Arn")
    VERIFY_CHECKS = ("tags",)

    def create(self, props: dict[str, Any]) -> CreateResult:
        transfer = client("transfer")
        server_id, user_name = props["server_id"], props["user_name"]
        id_ = _user_id(server_id, user_name)
        aws_call(
            f"Transfer user {id_}: CreateUser",
            transfer.create_user,
            ServerId=server_id,
            UserName=user_name,
            Tags=tag_list(props.get("tags")),
            **_home_and_role(props),
        )
        with rollback_on_failure(lambda: self.delete(id_, props)):
            self._sync_keys(transfer, id_, props.get("ssh_public_keys") or [])
            user = self._describe(transfer, id_)
        return CreateResult(id_, self.outputs(props, arn=user["Arn"]))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult | None:
        user = self._describe(client("transfer"), id_)
        if user is None:
            return None
        server_id, user_name = _split_id(id_)
        current = {
            **props,
            "server_id": server_id,
            "user_name": user_name,
            "role": user.get("Role"),
            "home_directory_mappings": [
                {"entry": m["Entry"], "target": m["Target"]} for m in user.get("HomeDirectoryMappings") or []
            ],
            "ssh_public_keys": [k["SshPublicKeyBody"] for k in user.get("SshPublicKeys") or []],
            "tags": tags_of(user.get("Tags")),
        }
        return ReadResult(id_, self.outputs(current, arn=user["Arn"]))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        transfer = client("transfer")
        server_id, user_name = _split_id(id_)
        if (olds.get("role"), olds.get("home_directory_mappings")) != (news.get("role"), news.get("home_directory_mappings")):
            aws_call(
                f"Transfer user {id_}: UpdateUser",
                transfer.update_user,
                ServerId=server_id,
                UserName=user_name,
                **_home_and_role(news),
            )
        self._sync_keys(transfer, id_, news.get("ssh_public_keys") or [])
        sync_transfer_tags(transfer, olds["arn"], olds.get("tags"), news.get("tags"))
        return UpdateResult(self.outputs(news, arn=olds["arn"]))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        server_id, user_name = _split_id(id_)
        call_or_none(
            f"Transfer user {id_}: DeleteUser",
            client("transfer").delete_user,
            ServerId=server_id,
            UserName=user_name,
        )

    @staticmethod
    def _describe(transfer, id_: str) -> dict | None:
        server_id, user_name = _split_id(id_)
        answer = call_or_none(
            f"Transfer user {id_}: DescribeUser",
            transfer.describe_user,
            ServerId=server_id,
            UserName=user_name,
        )
        return answer["User"] if answer else None

    def _sync_keys(self, transfer, id_: str, wanted: Sequence[str]) -> None:
        server_id, user_name = _split_id(id_)
        wanted_bodies = {body.strip() for body in wanted}
        keys = (self._describe(transfer, id_) or {}).get("SshPublicKeys") or []
        current = {k["SshPublicKeyBody"].strip(): k["SshPublicKeyId"] for k in keys}
        for body, key_id in sorted(current.items()):
            if body not in wanted_bodies:
                aws_call(
                    f"Transfer user {id_}: DeleteSshPublicKey {key_id}",
                    transfer.delete_ssh_public_key,
                    ServerId=server_id,
                    UserName=user_name,
                    SshPublicKeyId=key_id,
                )
        for body in sorted(wanted_bodies - current.keys()):
            aws_call(
                f"Transfer user {id_}: ImportSshPublicKey",
                transfer.import_ssh_public_key,
                ServerId=server_id,
                UserName=user_name,
                SshPublicKeyBody=body,
            )


class TransferUser(pulumi.dynamic.Resource, module="aws", name="TransferUser"):
    """A Transfer user; the id is `<server_id>/<user_name>`, `arn` its ARN."""

    arn: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        server_id: pulumi.Input[str],
        user_name: str,
        role: pulumi.Input[str],
        home_directory_mappings: pulumi.Input[Sequence[Mapping[str, str]]],
        ssh_public_keys: Sequence[str] = (),
        tags: Mapping[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "server_id": server_id,
            "user_name": user_name,
            "role": role,
            "home_directory_mappings": pulumi.Output.from_input(home_directory_mappings).apply(
                lambda mappings: [dict(m) for m in mappings]
            ),
            "ssh_public_keys": [k.strip() for k in ssh_public_keys],
            "tags": dict(tags or {}),
            "arn": None,
        }
        super().__init__(TransferUserProvider(), resource_name, props, opts)
