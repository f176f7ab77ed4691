"""AWS Transfer Family: what moto 5.2.1 lacks or answers differently from AWS.

- UpdateServer, UpdateUser, TagResource, UntagResource, ListTagsForResource
  are missing;
- a missing server or user answers ResourceNotFoundException with
  `Resource` and `ResourceType` (moto: invented codes ServerNotFound and
  UserNotFound, and for DescribeServer/DeleteServer/CreateUser an internal
  error, because the exception is built but never raised);
- CreateUser for an existing user answers ResourceExistsException.
Shapes follow the botocore service model.
"""

from __future__ import annotations

import json
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.transfer import models as transfer_models
from moto.transfer.models import TransferBackend
from moto.transfer.responses import TransferResponse
from moto.transfer.types import Server, User


class _ResourceError(JsonRESTError):
    code = 400

    def __init__(self, error_type: str, message: str, resource: str, resource_type: str) -> None:
        super().__init__(error_type, message)
        self.description = json.dumps(
            {"__type": error_type, "Message": message, "Resource": resource, "ResourceType": resource_type}
        )


class ServerNotFound(_ResourceError):
    def __init__(self, server_id: str) -> None:
        super().__init__("ResourceNotFoundException", f"Unknown server: {server_id}", server_id, "Server")


class UserNotFound(_ResourceError):
    def __init__(self, user_name: str, server_id: str) -> None:
        super().__init__("ResourceNotFoundException", f"Unknown user: {user_name}", user_name, "User")


class UserExists(_ResourceError):
    def __init__(self, user_name: str) -> None:
        super().__init__("ResourceExistsException", f"User already exists: {user_name}", user_name, "User")


class InvalidRequest(JsonRESTError):
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("InvalidRequestException", message)


# UpdateServer parameter -> moto Server attribute, for the plain settings.
SERVER_SETTINGS = {
    "Certificate": "certificate",
    "EndpointType": "endpoint_type",
    "IdentityProviderType": "identity_provider_type",
    "LoggingRole": "logging_role",
    "PostAuthenticationLoginBanner": "post_authentication_login_banner",
    "PreAuthenticationLoginBanner": "pre_authentication_login_banner",
    "Protocols": "protocols",
    "SecurityPolicyName": "security_policy_name",
    "StructuredLogDestinations": "structured_log_destinations",
}
USER_SETTINGS = {
    "HomeDirectory": "home_directory",
    "HomeDirectoryType": "home_directory_type",
    "Policy": "policy",
    "Role": "role",
}


def _server(backend: TransferBackend, server_id: str) -> Server:
    server = backend.servers.get(server_id)
    if server is None:
        raise ServerNotFound(server_id=server_id)
    return server


def _user(backend: TransferBackend, server_id: str, user_name: str) -> User:
    for user in _server(backend, server_id)._users:
        if user.user_name == user_name:
            return user
    raise UserNotFound(user_name=user_name, server_id=server_id)


def _tagged(backend: TransferBackend, arn: str) -> Server | User:
    for server in backend.servers.values():
        if server.arn == arn:
            return server
        for user in server._users:
            if user.arn == arn:
                return user
    raise _ResourceError("ResourceNotFoundException", f"Unknown resource: {arn}", arn, "Resource")


def _home_mappings(mappings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"entry": m.get("Entry"), "target": m.get("Target"), "type": m.get("Type")} for m in mappings]


def _guarded(original):
    """Run a moto backend method after checking the server exists (moto forgets to raise)."""

    def method(self: TransferBackend, *args: Any, server_id: str, **kwargs: Any):
        _server(self, server_id)
        return original(self, *args, server_id=server_id, **kwargs)

    method.__wrapped__ = original
    return method


def _create_user(original):
    def method(self: TransferBackend, *args: Any, server_id: str, user_name: str, **kwargs: Any):
        if any(u.user_name == user_name for u in _server(self, server_id)._users):
            raise UserExists(user_name)
        return original(self, *args, server_id=server_id, user_name=user_name, **kwargs)

    method.__wrapped__ = original
    return method


def _update_server(self: TransferResponse) -> str:
    params = json.loads(self.body)
    server = _server(self.transfer_backend, params.get("ServerId"))
    for param, attribute in SERVER_SETTINGS.items():
        if param in params:
            # An empty string clears an optional setting (e.g. LoggingRole).
            setattr(server, attribute, params[param] or None)
    return json.dumps({"ServerId": server.server_id})


def _update_user(self: TransferResponse) -> str:
    params = json.loads(self.body)
    user = _user(self.transfer_backend, params.get("ServerId"), params.get("UserName"))
    for param, attribute in USER_SETTINGS.items():
        if param in params:
            setattr(user, attribute, params[param] or None)
    if "HomeDirectoryMappings" in params:
        user.home_directory_mappings = _home_mappings(params["HomeDirectoryMappings"])
    if "PosixProfile" in params:
        profile = params["PosixProfile"]
        user.posix_profile = {"uid": profile.get("Uid"), "gid": profile.get("Gid"), "secondary_gids": profile.get("SecondaryGids")}
    return json.dumps({"ServerId": user.server_id, "UserName": user.user_name})


def _tag_resource(self: TransferResponse) -> str:
    params = json.loads(self.body)
    resource = _tagged(self.transfer_backend, params.get("Arn"))
    tags = {t["Key"]: t["Value"] for t in resource.tags}
    tags.update({t["Key"]: t["Value"] for t in params.get("Tags") or []})
    if len(tags) > 50:
        raise InvalidRequest("Too many tags: a resource can have at most 50.")
    resource.tags = [{"Key": k, "Value": v} for k, v in tags.items()]
    return "{}"


def _untag_resource(self: TransferResponse) -> str:
    params = json.loads(self.body)
    resource = _tagged(self.transfer_backend, params.get("Arn"))
    removed = set(params.get("TagKeys") or [])
    resource.tags = [t for t in resource.tags if t["Key"] not in removed]
    return "{}"


def _list_tags_for_resource(self: TransferResponse) -> str:
    params = json.loads(self.body)
    resource = _tagged(self.transfer_backend, params.get("Arn"))
    return json.dumps({"Arn": resource.arn, "Tags": list(resource.tags)})


def install() -> None:
    """Patch moto's transfer backend and request handler in-process."""
    # moto's backend methods look these names up in their module at call time.
    transfer_models.ServerNotFound = ServerNotFound
    transfer_models.UserNotFound = UserNotFound
    for name in ("describe_server", "delete_server"):
        original = getattr(TransferBackend, name)
        setattr(TransferBackend, name, _guarded(getattr(original, "__wrapped__", original)))
    original = TransferBackend.create_user
    TransferBackend.create_user = _create_user(getattr(original, "__wrapped__", original))
    TransferResponse.update_server = _update_server
    TransferResponse.update_user = _update_user
    TransferResponse.tag_resource = _tag_resource
    TransferResponse.untag_resource = _untag_resource
    TransferResponse.list_tags_for_resource = _list_tags_for_resource
