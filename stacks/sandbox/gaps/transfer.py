"""AWS Transfer Family: what moto 5.2.1 lacks or answers differently from AWS.

- UpdateServer, UpdateUser, ListUsers, TagResource, UntagResource,
  ListTagsForResource are missing;
- a missing server or user answers ResourceNotFoundException with
  `Resource` and `ResourceType` (moto: invented codes ServerNotFound and
  UserNotFound, and for DescribeServer/DeleteServer/CreateUser an internal
  error, because the exception is built but never raised);
- CreateUser for an existing user answers ResourceExistsException;
- StartServer and StopServer are missing: a server passes through STARTING
  or STOPPING (the next DescribeServer sees ONLINE or OFFLINE).
UpdateServer respects the server's state, as on AWS: nothing changes while
it is STARTING or STOPPING (ConflictException), the endpoint (EndpointType,
EndpointDetails) changes only while it is OFFLINE, and a VPC endpoint needs
EndpointDetails (InvalidRequestException).
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


class _InvalidNextToken(JsonRESTError):
    code = 400

    def __init__(self) -> None:
        super().__init__("InvalidNextTokenException", "The NextToken is not valid.")


class Conflict(JsonRESTError):
    code = 409

    def __init__(self, message: str) -> None:
        super().__init__("ConflictException", message)


TRANSITIONS = {"STARTING": "ONLINE", "STOPPING": "OFFLINE"}


def _state(server: Server) -> str:
    return getattr(server.state, "value", server.state) or "ONLINE"


def _settle(server: Server) -> None:
    """A transition ends once someone has seen it (AWS takes a moment)."""
    server.__dict__["gap_seen"] = server.__dict__.get("gap_seen", 0) + 1
    if _state(server) in TRANSITIONS and server.__dict__["gap_seen"] > 1:
        server.state = TRANSITIONS[_state(server)]


def _check_update(server: Server, params: dict[str, Any]) -> None:
    state = _state(server)
    if state in TRANSITIONS:
        raise Conflict(f"Server {server.server_id} is {state}; try again when it is ONLINE or OFFLINE.")
    endpoint_type = params.get("EndpointType", server.endpoint_type)
    changes_endpoint = ("EndpointType" in params and params["EndpointType"] != server.endpoint_type) or (
        "EndpointDetails" in params
    )
    if changes_endpoint and state != "OFFLINE":
        raise InvalidRequest(f"Server {server.server_id} must be OFFLINE (stopped) to change its endpoint.")
    if endpoint_type == "VPC" and not (params.get("EndpointDetails") or server.endpoint_details):
        raise InvalidRequest("EndpointDetails are required for a VPC endpoint.")


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
    _check_update(server, params)
    if "EndpointDetails" in params:
        details = params["EndpointDetails"] or {}
        server.endpoint_details = {
            "address_allocation_ids": details.get("AddressAllocationIds"), "subnet_ids": details.get("SubnetIds"),
            "vpc_endpoint_id": details.get("VpcEndpointId"), "vpc_id": details.get("VpcId"),
            "security_group_ids": details.get("SecurityGroupIds"),
        }
    for param, attribute in SERVER_SETTINGS.items():
        if param in params:
            # An empty string clears an optional setting (e.g. LoggingRole).
            setattr(server, attribute, params[param] or None)
    return json.dumps({"ServerId": server.server_id})


def _start_stop(target: str, allowed_from: tuple[str, ...], transition: str):
    def handler(self: TransferResponse) -> str:
        server = _server(self.transfer_backend, json.loads(self.body).get("ServerId"))
        state = _state(server)
        if state == target:
            return "{}"
        if state not in allowed_from:
            raise Conflict(f"Server {server.server_id} is {state}.")
        server.state = transition
        server.__dict__["gap_seen"] = 0
        return "{}"

    return handler


def _describe_server(original):
    def describe_server(self: TransferResponse) -> str:
        server = self.transfer_backend.servers.get(json.loads(self.body).get("ServerId"))
        if server is not None:
            _settle(server)
        return original(self)

    describe_server.gap_fill = True
    return describe_server


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


def _list_users(self: TransferResponse) -> str:
    params = json.loads(self.body)
    server = _server(self.transfer_backend, params.get("ServerId"))
    limit = params.get("MaxResults") or 1000
    if not 1 <= limit <= 1000:
        raise InvalidRequest("MaxResults must be between 1 and 1000.")
    users = sorted(server._users, key=lambda u: u.user_name)
    start = 0
    if params.get("NextToken"):
        token = params["NextToken"]
        if not token.isdigit() or int(token) > len(users):
            raise _InvalidNextToken()
        start = int(token)
    page = users[start:start + limit]
    listed = [{"Arn": u.arn, "HomeDirectory": u.home_directory, "HomeDirectoryType": u.home_directory_type,
               "Role": u.role, "SshPublicKeyCount": len(u.ssh_public_keys), "UserName": u.user_name} for u in page]  # fmt: skip
    answer: dict[str, Any] = {"ServerId": server.server_id, "Users": [{k: v for k, v in u.items() if v is not None} for u in listed]}
    if start + limit < len(users):
        answer["NextToken"] = str(start + limit)
    return json.dumps(answer)


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


_installed = False


def install() -> None:
    """Patch moto's transfer backend and request handler in-process (once: gaps.service_roles wraps
    update_server after this, and a second install must not undo that wrapper)."""
    global _installed
    if _installed:
        return
    _installed = True
    # moto's backend methods look these names up in their module at call time.
    transfer_models.ServerNotFound = ServerNotFound
    transfer_models.UserNotFound = UserNotFound
    for name in ("describe_server", "delete_server"):
        original = getattr(TransferBackend, name)
        setattr(TransferBackend, name, _guarded(getattr(original, "__wrapped__", original)))
    original = TransferBackend.create_user
    TransferBackend.create_user = _create_user(getattr(original, "__wrapped__", original))
    TransferResponse.update_server = _update_server
    TransferResponse.start_server = _start_stop("ONLINE", ("OFFLINE", "START_FAILED"), "STARTING")
    TransferResponse.stop_server = _start_stop("OFFLINE", ("ONLINE", "STOP_FAILED"), "STOPPING")
    if not getattr(TransferResponse.describe_server, "gap_fill", False):
        TransferResponse.describe_server = _describe_server(TransferResponse.describe_server)
    TransferResponse.update_user = _update_user
    TransferResponse.list_users = _list_users
    TransferResponse.tag_resource = _tag_resource
    TransferResponse.untag_resource = _untag_resource
    TransferResponse.list_tags_for_resource = _list_tags_for_resource
