"""An AWS Backup selection: which resources a plan backs up, and with which role.

Resources are chosen by tag. `match_all_tags` selects resources carrying every
listed tag (AWS `Conditions.StringEquals` on `aws:ResourceTag/<key>`, scoped
by `resources`, all by default); `match_any_tags` selects resources carrying
any one of them (AWS `ListOfTags`). AWS cannot change a selection, so every
change replaces it.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import pulumi
import pulumi.dynamic
from botocore.exceptions import ClientError

from provision.stacks.providers.base import (
    AwsResourceProvider,
    CreateResult,
    ProviderError,
    ReadResult,
    UpdateResult,
    client,
    error_code,
    is_not_found,
)
from provision.stacks.providers.calls import role_not_yet_usable, while_role_propagates

TAG_KEY_PREFIX = "aws:ResourceTag/"
# "IAM Role arn:... cannot be assumed by AWS Backup": a role made a moment ago, still propagating.
ROLE_NOT_YET_USABLE = role_not_yet_usable("InvalidParameterValueException", "cannot be assumed")
SETTINGS = ("plan_id", "selection_name", "iam_role_arn", "resources", "match_all_tags", "match_any_tags", "region")


def _to_aws(props: Mapping[str, Any]) -> dict[str, Any]:
    selection: dict[str, Any] = {"SelectionName": props["selection_name"], "IamRoleArn": props["iam_role_arn"]}
    all_tags, any_tags = props.get("match_all_tags") or {}, props.get("match_any_tags") or {}
    resources = list(props.get("resources") or [])
    if all_tags and not resources:
        resources = ["*"]  # conditions only narrow a resource list; AWS wants one
    if resources:
        selection["Resources"] = resources
    if all_tags:
        selection["Conditions"] = {
            "StringEquals": [
                {"ConditionKey": TAG_KEY_PREFIX + k, "ConditionValue": v} for k, v in sorted(all_tags.items())
            ]
        }
    if any_tags:
        selection["ListOfTags"] = [
            {"ConditionType": "STRINGEQUALS", "ConditionKey": k, "ConditionValue": v}
            for k, v in sorted(any_tags.items())
        ]
    return selection


def _from_aws(selection: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
    all_tags = {
        c["ConditionKey"].removeprefix(TAG_KEY_PREFIX): c["ConditionValue"]
        for c in (selection.get("Conditions") or {}).get("StringEquals") or []
    }
    resources = list(selection.get("Resources") or [])
    if resources == ["*"] and all_tags and not props.get("resources"):
        resources = list(props.get("resources") or [])  # the implied "*" of _to_aws
    return {
        "selection_name": selection["SelectionName"],
        "iam_role_arn": selection["IamRoleArn"],
        "resources": resources,
        "match_all_tags": all_tags,
        "match_any_tags": {t["ConditionKey"]: t["ConditionValue"] for t in selection.get("ListOfTags") or []},
    }


class BackupSelectionProvider(AwsResourceProvider):
    REPLACE_ON = frozenset(SETTINGS)
    OUTPUTS = frozenset({"selection_id"})
    UNIQUE_BY = frozenset({"plan_id", "selection_name"})  # a selection's name is unique in its plan
    SET_LIKE = frozenset({"resources"})
    # What verify and the other providers need to know of this kind (see AwsResourceProvider).
    INVENTORY_MARKER = "selection_name"
    NOT_FOUND = frozenset({"ResourceNotFoundException"})
    EXISTENCE_PROBE = "existence:_selection"
    TAG_READER = None
    VERIFY_CHECKS = ()

    def create(self, props: dict[str, Any]) -> CreateResult:
        backup = client("backup", props.get("region"))
        created = while_role_propagates(
            f"Backup selection {props['selection_name']} of plan {props['plan_id']}: CreateBackupSelection",
            backup.create_backup_selection,
            retry_if=ROLE_NOT_YET_USABLE,
            BackupPlanId=props["plan_id"],
            BackupSelection=_to_aws(props),
        )
        return CreateResult(created["SelectionId"], self.outputs(props, selection_id=created["SelectionId"]))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult | None:
        backup = client("backup", props.get("region"))
        try:
            got = backup.get_backup_selection(BackupPlanId=props["plan_id"], SelectionId=id_)
        except ClientError as exc:
            if is_not_found(exc):
                return None
            raise ProviderError(f"Backup selection {id_}: GetBackupSelection: {error_code(exc)}") from exc
        current = {**props, **_from_aws(got["BackupSelection"], props), "plan_id": got["BackupPlanId"]}
        return ReadResult(id_, self.outputs(current, selection_id=id_))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        # Only settings outside AWS (none today) reach here: AWS changes are replacements.
        return UpdateResult(self.outputs(news, selection_id=id_))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        backup = client("backup", props.get("region"))
        try:
            backup.delete_backup_selection(BackupPlanId=props["plan_id"], SelectionId=id_)
        except ClientError as exc:
            if not is_not_found(exc):
                raise ProviderError(f"Backup selection {id_}: DeleteBackupSelection: {error_code(exc)}") from exc


class BackupSelection(pulumi.dynamic.Resource, module="aws", name="BackupSelection"):
    """A tag-based Backup selection; the id is the selection id."""

    selection_id: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        plan_id: pulumi.Input[str],
        selection_name: str,
        iam_role_arn: pulumi.Input[str],
        match_all_tags: Mapping[str, str] | None = None,
        match_any_tags: Mapping[str, str] | None = None,
        resources: Sequence[str] = (),
        region: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "plan_id": plan_id,
            "selection_name": selection_name,
            "iam_role_arn": iam_role_arn,
            "match_all_tags": dict(match_all_tags or {}),
            "match_any_tags": dict(match_any_tags or {}),
            "resources": list(resources),
            "region": region,
            "selection_id": None,
        }
        super().__init__(BackupSelectionProvider(), resource_name, props, opts)
