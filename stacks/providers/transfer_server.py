"""An AWS Transfer Family server: SFTP with service-managed users, public endpoint, tags.

The identity provider type cannot change in place, and a new endpoint type
needs EndpointDetails and a stopped server, so changing either replaces the
server; protocols, security policy and logging role are updated with
UpdateServer. A logging role made a moment earlier is waited for while IAM
propagates it.
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
from provision.stacks.providers.calls import call_or_none, role_not_yet_usable, wait_for, while_role_propagates
from provision.stacks.providers.tag_sync import apply_tag_changes, tags_of

DEFAULT_SECURITY_POLICY = "TransferSecurityPolicy-2024-01"
# prop -> UpdateServer/CreateServer parameter, for the settings updated in place
SETTINGS = {
    "protocols": "Protocols",
    "endpoint_type": "EndpointType",
    "security_policy_name": "SecurityPolicyName",
    "logging_role": "LoggingRole",
}


# What CreateServer answers while a new logging role has not reached Transfer yet.
LOGGING_ROLE_NOT_YET_USABLE = role_not_yet_usable("InvalidRequestException", "assume role")


def sync_transfer_tags(transfer, arn: str, old: Mapping[str, str] | None, new: Mapping[str, str] | None) -> None:
    """Tag a Transfer server or user from `old` to `new`."""
    apply_tag_changes(
        old,
        new,
        untag=lambda keys: aws_call(f"{arn}: UntagResource", transfer.untag_resource, Arn=arn, TagKeys=keys),
        tag=lambda tags: aws_call(f"{arn}: TagResource", transfer.tag_resource, Arn=arn, Tags=tag_list(tags)),
    )


def _endpoint(transfer, server_id: str) -> str:
    return f"{server_id}.server.transfer.{transfer.meta.region_name}.amazonaws.com"


class TransferServerProvider(AwsResourceProvider):
    REPLACE_ON = frozenset({"identity_provider_type", "endpoint_type"})
    OUTPUTS = frozenset({"server_id", "arn", "endpoint"})
    SET_LIKE = frozenset({"protocols"})
    # What verify and the other providers need to know of this kind (see AwsResourceProvider).
    INVENTORY_MARKER = "protocols"
    NOT_FOUND = frozenset({"ResourceNotFoundException"})
    EXISTENCE_PROBE = "existence:_server"
    TAG_READER = ("tags:_arn_list", "transfer", "Arn")
    VERIFY_CHECKS = ("tags",)

    def create(self, props: dict[str, Any]) -> CreateResult:
        transfer = client("transfer")
        request = {api: props[prop] for prop, api in SETTINGS.items() if props.get(prop)}
        server_id = while_role_propagates(
            "Transfer server: CreateServer",
            transfer.create_server,
            retry_if=LOGGING_ROLE_NOT_YET_USABLE,
            IdentityProviderType=props.get("identity_provider_type") or "SERVICE_MANAGED",
            Tags=tag_list(props.get("tags")),
            **request,
        )["ServerId"]
        with rollback_on_failure(lambda: self.delete(server_id, props)):
            wait_for(f"Transfer server {server_id}: wait online", transfer, "server_online", ServerId=server_id)
            server = self._describe(transfer, server_id)
        return CreateResult(server_id, self._outs(transfer, props, server))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult | None:
        transfer = client("transfer")
        server = self._describe(transfer, id_)
        if server is None:
            return None
        current = {
            **props,
            "identity_provider_type": server.get("IdentityProviderType"),
            "protocols": server.get("Protocols") or [],
            "endpoint_type": server.get("EndpointType"),
            "security_policy_name": server.get("SecurityPolicyName"),
            "logging_role": server.get("LoggingRole"),
            "tags": tags_of(server.get("Tags")),
        }
        return ReadResult(id_, self._outs(transfer, current, server))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        transfer = client("transfer")
        # An empty value clears an optional setting such as the logging role.
        changed = {
            api: news.get(prop) or ""
            for prop, api in SETTINGS.items()
            if olds.get(prop) != news.get(prop) and prop not in self.REPLACE_ON
        }
        if changed:
            aws_call(f"Transfer server {id_}: UpdateServer", transfer.update_server, ServerId=id_, **changed)
        sync_transfer_tags(transfer, olds["arn"], olds.get("tags"), news.get("tags"))
        return UpdateResult(self.outputs(news, server_id=id_, arn=olds["arn"], endpoint=olds["endpoint"]))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        call_or_none(f"Transfer server {id_}: DeleteServer", client("transfer").delete_server, ServerId=id_)

    @staticmethod
    def _describe(transfer, server_id: str) -> dict | None:
        answer = call_or_none(f"Transfer server {server_id}: DescribeServer", transfer.describe_server, ServerId=server_id)
        return answer["Server"] if answer else None

    def _outs(self, transfer, props: Mapping[str, Any], server: Mapping[str, Any]) -> dict[str, Any]:
        server_id = server["ServerId"]
        return self.outputs(props, server_id=server_id, arn=server["Arn"], endpoint=_endpoint(transfer, server_id))


class TransferServer(pulumi.dynamic.Resource, module="aws", name="TransferServer"):
    """A Transfer Family server; outputs `server_id` (also the id), `arn` and `endpoint` (host name)."""

    server_id: pulumi.Output[str]
    arn: pulumi.Output[str]
    endpoint: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        protocols: Sequence[str] = ("SFTP",),
        identity_provider_type: str = "SERVICE_MANAGED",
        endpoint_type: str = "PUBLIC",
        security_policy_name: str = DEFAULT_SECURITY_POLICY,
        logging_role: pulumi.Input[str] | None = None,
        tags: Mapping[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "protocols": list(protocols),
            "identity_provider_type": identity_provider_type,
            "endpoint_type": endpoint_type,
            "security_policy_name": security_policy_name,
            "logging_role": logging_role,
            "tags": dict(tags or {}),
            "server_id": None,
            "arn": None,
            "endpoint": None,
        }
        super().__init__(TransferServerProvider(), resource_name, props, opts)
