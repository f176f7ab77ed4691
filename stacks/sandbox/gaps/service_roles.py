"""Services assume the roles they are given, as on AWS; moto never tries.

AWS checks, when a call hands a role to a service, that the service can
assume it: the role exists, its trust policy names the service, and IAM has
propagated it (a role created a few seconds earlier is not yet visible to
the service). The sandbox refuses the same calls with AWS's answer:

- Config PutDeliveryChannel (the recorder's role, assumed by
  config.amazonaws.com): InsufficientDeliveryPolicyException;
- EC2 CreateFlowLogs with DeliverLogsPermissionArn (vpc-flow-logs.amazonaws.com):
  InvalidParameter "Unable to assume given IAM role";
- Transfer CreateServer and UpdateServer with a LoggingRole
  (transfer.amazonaws.com): InvalidRequestException.

Backup CreateBackupSelection is checked in gaps.backup. The propagation
delay is stacks.sandbox.access.settings.iam_propagation_seconds.
"""

from __future__ import annotations

import json
from typing import Any

from moto.config.models import ConfigBackend
from moto.core.exceptions import JsonRESTError
from moto.ec2.exceptions import InvalidParameter
from moto.ec2.models.flow_logs import FlowLogsBackend
from moto.transfer.models import TransferBackend
from moto.transfer.responses import TransferResponse

from provision.stacks.sandbox.access import RoleNotAssumable, assumable_role


class InsufficientDeliveryPolicy(JsonRESTError):
    code = 400

    def __init__(self, bucket: str, role_arn: str) -> None:
        super().__init__(
            "InsufficientDeliveryPolicyException",
            f"Insufficient delivery policy to s3 bucket: {bucket}, unable to assume role: {role_arn}.",
        )


class TransferInvalidRequest(JsonRESTError):
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("InvalidRequestException", message)


def _put_delivery_channel(original):
    def put_delivery_channel(self: ConfigBackend, delivery_channel: dict[str, Any]) -> None:
        for recorder in self.recorders.values():
            try:
                assumable_role(recorder.role_arn, "config.amazonaws.com", {"aws:SourceAccount": self.account_id})
            except RoleNotAssumable:
                raise InsufficientDeliveryPolicy(delivery_channel.get("s3BucketName") or "", recorder.role_arn) from None
        return original(self, delivery_channel)

    put_delivery_channel.gap_fill = True
    return put_delivery_channel


def _create_flow_logs(original):
    def create_flow_logs(self: FlowLogsBackend, resource_type: str, resource_ids: list[str], traffic_type: str,
                         deliver_logs_permission_arn: str, *args: Any, **kwargs: Any) -> Any:
        if deliver_logs_permission_arn:
            try:
                assumable_role(deliver_logs_permission_arn, "vpc-flow-logs.amazonaws.com",
                               {"aws:SourceAccount": self.account_id})
            except RoleNotAssumable:
                raise InvalidParameter(f"Unable to assume given IAM role: '{deliver_logs_permission_arn}'") from None
        return original(self, resource_type, resource_ids, traffic_type, deliver_logs_permission_arn, *args, **kwargs)

    create_flow_logs.gap_fill = True
    return create_flow_logs


def check_logging_role(role_arn: str | None, account_id: str) -> None:
    """Transfer's check of a server's LoggingRole; an empty value clears it and needs none."""
    if not role_arn:
        return
    try:
        assumable_role(role_arn, "transfer.amazonaws.com", {"aws:SourceAccount": account_id})
    except RoleNotAssumable:
        raise TransferInvalidRequest(f"Unable to assume role {role_arn} for logging. "
                                     "Check that it exists and trusts transfer.amazonaws.com.") from None


def _create_server(original):
    def create_server(self: TransferBackend, *args: Any, logging_role: str | None = None, **kwargs: Any) -> Any:
        check_logging_role(logging_role, self.account_id)
        return original(self, *args, logging_role=logging_role, **kwargs)

    create_server.gap_fill = True
    return create_server


def _update_server(original):
    def update_server(self: TransferResponse) -> str:
        check_logging_role(json.loads(self.body).get("LoggingRole"), self.current_account)
        return original(self)

    update_server.gap_fill = True
    return update_server


def install() -> None:
    """Wrap the calls that hand a role to a service (once; later calls find them wrapped)."""
    if not getattr(ConfigBackend.put_delivery_channel, "gap_fill", False):
        ConfigBackend.put_delivery_channel = _put_delivery_channel(ConfigBackend.put_delivery_channel)
    if not getattr(FlowLogsBackend.create_flow_logs, "gap_fill", False):
        FlowLogsBackend.create_flow_logs = _create_flow_logs(FlowLogsBackend.create_flow_logs)
    if not getattr(TransferBackend.create_server, "gap_fill", False):
        TransferBackend.create_server = _create_server(TransferBackend.create_server)
    # gaps.transfer adds UpdateServer; this runs after it.
    if not getattr(TransferResponse.update_server, "gap_fill", False):
        TransferResponse.update_server = _update_server(TransferResponse.update_server)
