"""CloudWatch Logs: AssociateKmsKey and DisassociateKmsKey, which moto 5.2.1 lacks.

Shapes follow the botocore service model: the target is either `logGroupName`
or `resourceIdentifier` (a log group ARN, or the account's query-result ARN),
never both; `kmsKeyId` is a KMS key ARN. A missing log group answers
ResourceNotFoundException, a bad or unknown key InvalidParameterException.
moto already reports a log group's `kmsKeyId` in DescribeLogGroups, so
associating a key only has to set it.

As on AWS, the key policy must let `logs.<region>.amazonaws.com` use the key
for the log group (encryption context `kms:EncryptionContext:aws:logs:arn`),
both here and in CreateLogGroup with a kmsKeyId; otherwise
AccessDeniedException.
"""

from __future__ import annotations

import re

from moto.kms.models import kms_backends
from moto.core.exceptions import JsonRESTError
from moto.logs.exceptions import InvalidParameterException, ResourceNotFoundException
from moto.logs.models import LogGroup, LogsBackend
from moto.logs.responses import REGEX_LOG_GROUP_NAME, LogsResponse

from provision.stacks.sandbox import access

KEY_ARN = re.compile(r"arn:(?P<partition>[a-z-]+):kms:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):key/(?P<key_id>[\w-]+)")
LOG_GROUP_ARN = re.compile(r"arn:[a-z-]+:logs:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):log-group:(?P<name>[^:]+)(:\*)?")
QUERY_RESULT_ARN = re.compile(r"arn:[a-z-]+:logs:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):query-result:\*")
# What CloudWatch Logs does with the key of an encrypted log group.
LOGS_KEY_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:DescribeKey")


class AccessDenied(JsonRESTError):
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("AccessDeniedException", message)


def _check_key(kms_key_id: str, target_arn: str) -> None:
    """AWS accepts only the ARN of an existing, enabled symmetric key."""
    if len(kms_key_id) > 256:
        raise InvalidParameterException(
            constraint="Member must have length less than or equal to 256", parameter="kmsKeyId", value=kms_key_id
        )
    match = KEY_ARN.fullmatch(kms_key_id)
    key = None
    if match:
        keys = kms_backends[match["account"]][match["region"]].keys
        key = keys.get(match["key_id"])
    if key is None or key.key_state != "Enabled" or key.key_spec != "SYMMETRIC_DEFAULT":
        raise InvalidParameterException(
            f"Specified KMS key {kms_key_id} does not exist or is not allowed to be used with Arn '{target_arn}'"
        )
    region, account = match["region"], match["account"]
    context = {"kms:EncryptionContext:aws:logs:arn": target_arn.removesuffix(":*"), "aws:SourceAccount": account,
               "aws:SourceArn": target_arn.removesuffix(":*")}
    if not access.allows_all(key.policy, f"logs.{region}.amazonaws.com", LOGS_KEY_ACTIONS, "*", context):
        raise AccessDenied(f"The specified KMS key does not exist or is not allowed to be used with Arn '{target_arn}'")


def _resolve(backend: LogsBackend, log_group_name: str | None, resource_identifier: str | None) -> LogGroup | str:
    """The log group addressed by the request, or the query-result ARN."""
    if bool(log_group_name) == bool(resource_identifier):
        raise InvalidParameterException("Specify either logGroupName or resourceIdentifier, but not both.")
    if resource_identifier:
        if QUERY_RESULT_ARN.fullmatch(resource_identifier):
            return resource_identifier
        match = LOG_GROUP_ARN.fullmatch(resource_identifier)
        if not match or (match["account"], match["region"]) != (backend.account_id, backend.region_name):
            raise InvalidParameterException(f"Invalid resourceIdentifier: {resource_identifier}")
        log_group_name = match["name"]
    group = backend.groups.get(log_group_name or "")
    if group is None:
        raise ResourceNotFoundException()
    return group


def _associate_kms_key(self: LogsBackend, log_group_name: str | None, kms_key_id: str, resource_identifier: str | None) -> None:
    target = _resolve(self, log_group_name, resource_identifier)
    _check_key(kms_key_id, target if isinstance(target, str) else target.arn)
    if isinstance(target, str):
        self.query_results_kms_key_id = kms_key_id
    else:
        target.kms_key_id = kms_key_id


def _disassociate_kms_key(self: LogsBackend, log_group_name: str | None, resource_identifier: str | None) -> None:
    target = _resolve(self, log_group_name, resource_identifier)
    if isinstance(target, str):
        self.query_results_kms_key_id = None
    else:
        target.kms_key_id = None


def _log_group_name_param(self: LogsResponse) -> str | None:
    if self._get_param("logGroupName") is None:
        return None
    return self._get_validated_param(
        "logGroupName",
        "Minimum length of 1. Maximum length of 512.",
        lambda x: 1 <= len(x) <= 512,
        pattern=REGEX_LOG_GROUP_NAME,
    )


def _associate_kms_key_response(self: LogsResponse) -> str:
    kms_key_id = self._get_param("kmsKeyId")
    if not kms_key_id:
        raise InvalidParameterException(constraint="Member must not be null", parameter="kmsKeyId", value=None)
    self.logs_backend.associate_kms_key(_log_group_name_param(self), kms_key_id, self._get_param("resourceIdentifier"))
    return ""


def _disassociate_kms_key_response(self: LogsResponse) -> str:
    self.logs_backend.disassociate_kms_key(_log_group_name_param(self), self._get_param("resourceIdentifier"))
    return ""


def _create_log_group(original):
    def create_log_group(self: LogsBackend, log_group_name: str, tags: dict[str, str], **kwargs):
        if kwargs.get("kmsKeyId"):
            arn = f"arn:aws:logs:{self.region_name}:{self.account_id}:log-group:{log_group_name}"
            _check_key(kwargs["kmsKeyId"], arn)
        return original(self, log_group_name, tags, **kwargs)

    create_log_group.gap_fill = True
    return create_log_group


def install() -> None:
    """Add the two operations to moto's logs backend and its request handler; check keys on create."""
    if not getattr(LogsBackend.create_log_group, "gap_fill", False):
        LogsBackend.create_log_group = _create_log_group(LogsBackend.create_log_group)
    LogsBackend.associate_kms_key = _associate_kms_key
    LogsBackend.disassociate_kms_key = _disassociate_kms_key
    LogsBackend.query_results_kms_key_id = None
    LogsResponse.associate_kms_key = _associate_kms_key_response
    LogsResponse.disassociate_kms_key = _disassociate_kms_key_response
