"""AWS Backup: the operations moto 5.2.1 lacks.

- CreateBackupSelection, GetBackupSelection, ListBackupSelections,
  DeleteBackupSelection;
- UpdateBackupPlan (a new version id; older versions are not kept);
- PutBackupVaultNotifications, GetBackupVaultNotifications,
  DeleteBackupVaultNotifications.

Shapes and error codes follow the botocore service model and AWS's observed
answers: a selection needs a non-empty `ListOfTags` or `Resources`
(InvalidParameterValueException otherwise); a missing plan, selection or vault
answers ResourceNotFoundException, except on CreateBackupSelection, whose
model has no such error (InvalidParameterValueException); reading the
notifications of a vault that has none is ResourceNotFoundException. Like AWS,
a plan that still has selections cannot be deleted (InvalidRequestException).
The selection's role must be one AWS Backup can assume (it exists, trusts
backup.amazonaws.com and has propagated; see stacks.sandbox.access), else
InvalidParameterValueException "IAM Role ... cannot be assumed by AWS Backup";
and the caller must be allowed iam:PassRole on it (AccessDeniedException).
State lives on moto's BackupBackend, so moto's reset clears it.
"""

from __future__ import annotations

import json
from typing import Any

from moto.backup import urls
from moto.backup.exceptions import InvalidParameterValueException, InvalidRequestException, ResourceNotFoundException
from moto.backup.models import BackupBackend, Plan
from moto.backup.responses import BackupResponse
from moto.core.exceptions import JsonRESTError
from moto.core.utils import unix_time
from moto.moto_api._internal import mock_random

from provision.stacks.sandbox.access import RoleNotAssumable, assumable_role, caller_may_pass_role

VAULT_EVENTS = frozenset(
    {
        "BACKUP_JOB_STARTED", "BACKUP_JOB_COMPLETED", "BACKUP_JOB_SUCCESSFUL", "BACKUP_JOB_FAILED",
        "BACKUP_JOB_EXPIRED", "RESTORE_JOB_STARTED", "RESTORE_JOB_COMPLETED", "RESTORE_JOB_SUCCESSFUL",
        "RESTORE_JOB_FAILED", "COPY_JOB_STARTED", "COPY_JOB_SUCCESSFUL", "COPY_JOB_FAILED",
        "RECOVERY_POINT_MODIFIED", "BACKUP_PLAN_CREATED", "BACKUP_PLAN_MODIFIED", "S3_BACKUP_OBJECT_FAILED",
        "S3_RESTORE_OBJECT_FAILED", "CONTINUOUS_BACKUP_INTERRUPTED", "RECOVERY_POINT_INDEX_COMPLETED",
        "RECOVERY_POINT_INDEX_DELETED", "RECOVERY_POINT_INDEXING_FAILED", "EKS_RESTORE_OBJECT_FAILED",
        "EKS_RESTORE_OBJECT_SKIPPED", "EKS_BACKUP_OBJECT_FAILED", "EKS_RESTORE_MODIFICATION_SUCCESS",
        "EKS_RESTORE_MODIFICATION_FAILED", "ACCESS_POINT_AVAILABLE", "ACCESS_POINT_CREATION_FAILED",
        "ACCESS_POINT_DELETED", "ACCESS_POINT_DELETION_FAILED", "ACCESS_POINT_EXPIRED",
        "ACCESS_POINT_DISASSOCIATED",
    }
)  # fmt: skip
CONDITION_KINDS = ("StringEquals", "StringNotEquals", "StringLike", "StringNotLike")

# Explicit routes; moto's own `/backup/plans/(.+)` would also catch the
# selection paths, but notification-configuration has no route at all.
ROUTES = {
    "{0}/backup/plans/(?P<backupPlanId>[^/]+)/selections/?$": BackupResponse.dispatch,
    "{0}/backup/plans/(?P<backupPlanId>[^/]+)/selections/(?P<selectionId>[^/]+)$": BackupResponse.dispatch,
    "{0}/backup-vaults/(?P<backupVaultName>[^/]+)/notification-configuration$": BackupResponse.dispatch,
}


class AccessDenied(JsonRESTError):
    code = 403

    def __init__(self, message: str) -> None:
        super().__init__("AccessDeniedException", message)


class Selection:
    def __init__(self, plan_id: str, selection: dict[str, Any], creator_request_id: str | None) -> None:
        self.selection_id = str(mock_random.uuid4())
        self.plan_id = plan_id
        self.creation_date = unix_time()
        self.creator_request_id = creator_request_id
        # AWS answers with every list present, empty when not given.
        conditions = selection.get("Conditions") or {}
        self.selection = {
            "SelectionName": selection["SelectionName"],
            "IamRoleArn": selection["IamRoleArn"],
            "Resources": list(selection.get("Resources") or []),
            "ListOfTags": list(selection.get("ListOfTags") or []),
            "NotResources": list(selection.get("NotResources") or []),
            "Conditions": {kind: list(conditions.get(kind) or []) for kind in CONDITION_KINDS},
        }

    def to_get_dict(self) -> dict[str, Any]:
        result = {
            "BackupSelection": self.selection,
            "SelectionId": self.selection_id,
            "BackupPlanId": self.plan_id,
            "CreationDate": self.creation_date,
        }
        if self.creator_request_id:
            result["CreatorRequestId"] = self.creator_request_id
        return result

    def to_list_dict(self) -> dict[str, Any]:
        result = {
            "SelectionId": self.selection_id,
            "SelectionName": self.selection["SelectionName"],
            "BackupPlanId": self.plan_id,
            "CreationDate": self.creation_date,
            "IamRoleArn": self.selection["IamRoleArn"],
        }
        if self.creator_request_id:
            result["CreatorRequestId"] = self.creator_request_id
        return result


def _selections(backend: BackupBackend) -> dict[str, dict[str, Selection]]:
    """plan id -> selection id -> selection; kept in the backend's own state."""
    return backend.__dict__.setdefault("gap_selections", {})


def _notifications(backend: BackupBackend) -> dict[str, dict[str, Any]]:
    """vault name -> {SNSTopicArn, BackupVaultEvents}."""
    return backend.__dict__.setdefault("gap_vault_notifications", {})


def _live_plan(backend: BackupBackend, plan_id: str) -> Plan:
    plan = backend.plans.get(plan_id)
    if plan is None or plan.deletion_date is not None:
        raise ResourceNotFoundException(msg="Failed reading Backup plan with provided version")
    return plan


# --- backend ---------------------------------------------------------------


def create_backup_selection(
    self: BackupBackend, backup_plan_id: str, backup_selection: dict[str, Any], creator_request_id: str | None
) -> Selection:
    plan = self.plans.get(backup_plan_id)
    if plan is None or plan.deletion_date is not None:
        raise InvalidParameterValueException(msg=f"Invalid backup plan id: {backup_plan_id}")
    if not backup_selection.get("ListOfTags") and not backup_selection.get("Resources"):
        raise InvalidParameterValueException(
            msg="Invalid backup selection. Either 'ListOfTags' or 'Resources' section must be non-empty."
        )
    role_arn = backup_selection.get("IamRoleArn") or ""
    try:
        assumable_role(role_arn, "backup.amazonaws.com", {"aws:SourceAccount": self.account_id})
    except RoleNotAssumable:
        raise InvalidParameterValueException(msg=f"IAM Role {role_arn} cannot be assumed by AWS Backup") from None
    selection = Selection(backup_plan_id, backup_selection, creator_request_id)
    _selections(self).setdefault(backup_plan_id, {})[selection.selection_id] = selection
    return selection


def get_backup_selection(self: BackupBackend, backup_plan_id: str, selection_id: str) -> Selection:
    _live_plan(self, backup_plan_id)
    selection = _selections(self).get(backup_plan_id, {}).get(selection_id)
    if selection is None:
        raise ResourceNotFoundException(msg=f"Failed reading selection {selection_id} for Backup plan {backup_plan_id}")
    return selection


def list_backup_selections(self: BackupBackend, backup_plan_id: str) -> list[Selection]:
    _live_plan(self, backup_plan_id)
    return sorted(_selections(self).get(backup_plan_id, {}).values(), key=lambda s: s.creation_date)


def delete_backup_selection(self: BackupBackend, backup_plan_id: str, selection_id: str) -> None:
    get_backup_selection(self, backup_plan_id, selection_id)
    del _selections(self)[backup_plan_id][selection_id]


def update_backup_plan(self: BackupBackend, backup_plan_id: str, backup_plan: dict[str, Any]) -> Plan:
    plan = _live_plan(self, backup_plan_id)
    # A throw-away Plan applies moto's rule defaults and makes a new version id.
    fresh = Plan(backup_plan=backup_plan, creator_request_id=plan.creator_request_id, backend=self)
    plan.backup_plan = fresh.backup_plan
    plan.version_id = fresh.version_id
    plan.advanced_backup_settings = fresh.advanced_backup_settings
    return plan


def put_backup_vault_notifications(
    self: BackupBackend, backup_vault_name: str, sns_topic_arn: str, backup_vault_events: list[str]
) -> None:
    self.describe_backup_vault(backup_vault_name)
    unknown = sorted(set(backup_vault_events) - VAULT_EVENTS)
    if unknown:
        raise InvalidParameterValueException(
            msg=f"Please select from the following list of notifications {', '.join(sorted(VAULT_EVENTS))}"
        )
    _notifications(self)[backup_vault_name] = {
        "SNSTopicArn": sns_topic_arn,
        "BackupVaultEvents": list(backup_vault_events),
    }


def get_backup_vault_notifications(self: BackupBackend, backup_vault_name: str) -> dict[str, Any]:
    vault = self.describe_backup_vault(backup_vault_name)
    found = _notifications(self).get(backup_vault_name)
    if found is None:
        raise ResourceNotFoundException(
            msg=f"Failed reading notifications from database for Backup vault {backup_vault_name}"
        )
    return {"BackupVaultName": vault.backup_vault_name, "BackupVaultArn": vault.backup_vault_arn, **found}


def delete_backup_vault_notifications(self: BackupBackend, backup_vault_name: str) -> None:
    self.describe_backup_vault(backup_vault_name)
    _notifications(self).pop(backup_vault_name, None)


def _guard_delete_backup_plan(original):
    def delete_backup_plan(self: BackupBackend, backup_plan_id: str):
        if _selections(self).get(backup_plan_id):
            raise InvalidRequestException(
                msg="Related backup plan selections must be deleted prior to backup plan deletion"
            )
        return original(self, backup_plan_id)

    delete_backup_plan.gap_fill = True
    return delete_backup_plan


def _reuse_deleted_plan_names(original):
    """AWS lets a new plan take the name of a deleted one; moto counts deleted plans too."""

    def create_backup_plan(self: BackupBackend, backup_plan, backup_plan_tags, creator_request_id):
        deleted = {pid: p for pid, p in self.plans.items() if p.deletion_date is not None}
        for pid in deleted:
            del self.plans[pid]
        try:
            return original(self, backup_plan, backup_plan_tags, creator_request_id)
        finally:
            self.plans.update(deleted)  # still listed with IncludeDeleted, as AWS does

    create_backup_plan.gap_fill = True
    return create_backup_plan


def _forget_notifications_on_vault_delete(original):
    def delete_backup_vault(self: BackupBackend, backup_vault_name: str) -> None:
        original(self, backup_vault_name)
        _notifications(self).pop(backup_vault_name, None)

    delete_backup_vault.gap_fill = True
    return delete_backup_vault


# --- responses ---------------------------------------------------------------


def _body(self: BackupResponse) -> dict[str, Any]:
    return json.loads(self.body) if self.body else {}


def create_backup_selection_response(self: BackupResponse) -> str:
    params = _body(self)
    role_arn = (params.get("BackupSelection") or {}).get("IamRoleArn") or ""
    if not caller_may_pass_role(self.headers.get("Authorization", ""), role_arn):
        raise AccessDenied(f"User is not authorized to perform: iam:PassRole on resource: {role_arn}")
    selection = self.backup_backend.create_backup_selection(
        backup_plan_id=self._get_param("backupPlanId"),
        backup_selection=params.get("BackupSelection") or {},
        creator_request_id=params.get("CreatorRequestId"),
    )
    return json.dumps(
        {
            "SelectionId": selection.selection_id,
            "BackupPlanId": selection.plan_id,
            "CreationDate": selection.creation_date,
        }
    )


def get_backup_selection_response(self: BackupResponse) -> str:
    selection = self.backup_backend.get_backup_selection(
        self._get_param("backupPlanId"), self._get_param("selectionId")
    )
    return json.dumps(selection.to_get_dict())


def list_backup_selections_response(self: BackupResponse) -> str:
    selections = [s.to_list_dict() for s in self.backup_backend.list_backup_selections(self._get_param("backupPlanId"))]
    start = int(self._get_param("nextToken") or 0)
    size = int(self._get_param("maxResults") or 1000)
    result: dict[str, Any] = {"BackupSelectionsList": selections[start : start + size]}
    if start + size < len(selections):
        result["NextToken"] = str(start + size)
    return json.dumps(result)


def delete_backup_selection_response(self: BackupResponse) -> str:
    self.backup_backend.delete_backup_selection(self._get_param("backupPlanId"), self._get_param("selectionId"))
    return "{}"


def update_backup_plan_response(self: BackupResponse) -> str:
    plan = self.backup_backend.update_backup_plan(self._get_param("backupPlanId"), _body(self).get("BackupPlan") or {})
    return json.dumps(plan.to_dict())


def put_backup_vault_notifications_response(self: BackupResponse) -> str:
    params = _body(self)
    self.backup_backend.put_backup_vault_notifications(
        backup_vault_name=self._get_param("backupVaultName"),
        sns_topic_arn=params.get("SNSTopicArn"),
        backup_vault_events=params.get("BackupVaultEvents") or [],
    )
    return "{}"


def get_backup_vault_notifications_response(self: BackupResponse) -> str:
    return json.dumps(self.backup_backend.get_backup_vault_notifications(self._get_param("backupVaultName")))


def delete_backup_vault_notifications_response(self: BackupResponse) -> str:
    self.backup_backend.delete_backup_vault_notifications(self._get_param("backupVaultName"))
    return "{}"


BACKEND_METHODS = (
    create_backup_selection,
    get_backup_selection,
    list_backup_selections,
    delete_backup_selection,
    update_backup_plan,
    put_backup_vault_notifications,
    get_backup_vault_notifications,
    delete_backup_vault_notifications,
)
RESPONSE_METHODS = (
    create_backup_selection_response,
    get_backup_selection_response,
    list_backup_selections_response,
    delete_backup_selection_response,
    update_backup_plan_response,
    put_backup_vault_notifications_response,
    get_backup_vault_notifications_response,
    delete_backup_vault_notifications_response,
)


def install() -> None:
    """Add the operations to moto's backup backend, request handler and routes."""
    for method in BACKEND_METHODS:
        setattr(BackupBackend, method.__name__, method)
    for method in RESPONSE_METHODS:
        # moto dispatches on the operation's snake_case name.
        setattr(BackupResponse, method.__name__.removesuffix("_response"), method)
    if not getattr(BackupBackend.delete_backup_plan, "gap_fill", False):
        BackupBackend.delete_backup_plan = _guard_delete_backup_plan(BackupBackend.delete_backup_plan)
    if not getattr(BackupBackend.create_backup_plan, "gap_fill", False):
        BackupBackend.create_backup_plan = _reuse_deleted_plan_names(BackupBackend.create_backup_plan)
    if not getattr(BackupBackend.delete_backup_vault, "gap_fill", False):
        BackupBackend.delete_backup_vault = _forget_notifications_on_vault_delete(BackupBackend.delete_backup_vault)
    for route, handler in ROUTES.items():
        urls.url_paths.setdefault(route, handler)
