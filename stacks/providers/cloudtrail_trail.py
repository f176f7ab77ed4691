"""A CloudTrail trail: S3 delivery, multi-region, log file validation, KMS, logging on/off, tags.

The trail's bucket must already allow CloudTrail to write (see
stacks.functions.security_monitoring for the policy). Refresh reports drift in
the settings an attacker would touch first: logging stopped, validation off,
single-region, KMS removed.
"""

from __future__ import annotations

from typing import Any, Mapping

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
from provision.stacks.providers.tag_sync import tag_changes, tags_of


def _settings(props: Mapping[str, Any]) -> dict[str, Any]:
    """The trail settings CreateTrail and UpdateTrail share."""
    return {
        "S3BucketName": props["s3_bucket_name"],
        # UpdateTrail clears the prefix and the key with empty strings.
        "S3KeyPrefix": props.get("s3_key_prefix") or "",
        "IsMultiRegionTrail": props.get("is_multi_region", True),
        "EnableLogFileValidation": props.get("enable_log_file_validation", True),
        "KmsKeyId": props.get("kms_key_id") or "",
        "IncludeGlobalServiceEvents": props.get("include_global_service_events", True),
    }


def _name(arn: str) -> str:
    """A trail's name from its ARN; calls in the home region address the trail by name."""
    return arn.rsplit("/", 1)[1]


class CloudTrailTrailProvider(AwsResourceProvider):
    REPLACE_ON = frozenset({"name"})
    OUTPUTS = frozenset({"arn", "home_region"})
    UNIQUE_BY = frozenset({"name"})
    # What verify and the other providers need to know of this kind (see AwsResourceProvider).
    INVENTORY_MARKER = "is_multi_region"
    NOT_FOUND = frozenset({"TrailNotFoundException"})
    EXISTENCE_PROBE = "existence:_trail"
    TAG_READER = "tags:_trail"
    VERIFY_CHECKS = ("cloudtrail.logging", "cloudtrail.log-validation", "cloudtrail.multi-region", "cloudtrail.kms", "tags")

    def create(self, props: dict[str, Any]) -> CreateResult:
        cloudtrail = client("cloudtrail")
        name = props["name"]
        settings = {k: v for k, v in _settings(props).items() if v != ""}
        trail = aws_call(
            f"CloudTrail trail {name}: CreateTrail",
            cloudtrail.create_trail,
            Name=name,
            TagsList=tag_list(props.get("tags")),
            **settings,
        )
        arn = trail["TrailARN"]
        with rollback_on_failure(lambda: cloudtrail.delete_trail(Name=name)):
            self._set_logging(cloudtrail, name, props.get("logging", True))
        return CreateResult(arn, self._outputs(props, arn))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult | None:
        cloudtrail = client("cloudtrail")
        what = f"CloudTrail trail {id_}"
        found = call_or_none(f"{what}: GetTrail", cloudtrail.get_trail, Name=id_)
        if found is None:
            return None
        trail = found["Trail"]
        status = aws_call(f"{what}: GetTrailStatus", cloudtrail.get_trail_status, Name=id_)
        tags = aws_call(f"{what}: ListTags", cloudtrail.list_tags, ResourceIdList=[id_])["ResourceTagList"]
        current = {
            **props,
            "name": trail["Name"],
            "s3_bucket_name": trail["S3BucketName"],
            "s3_key_prefix": trail.get("S3KeyPrefix") or None,
            "is_multi_region": trail["IsMultiRegionTrail"],
            "enable_log_file_validation": trail["LogFileValidationEnabled"],
            "kms_key_id": trail.get("KmsKeyId") or None,
            "include_global_service_events": trail["IncludeGlobalServiceEvents"],
            "logging": status["IsLogging"],
            "tags": tags_of(tags[0]["TagsList"] if tags else []),
        }
        return ReadResult(id_, self._outputs(current, id_))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        cloudtrail = client("cloudtrail")
        what = f"CloudTrail trail {id_}"
        aws_call(f"{what}: UpdateTrail", cloudtrail.update_trail, Name=_name(id_), **_settings(news))
        self._set_logging(cloudtrail, _name(id_), news.get("logging", True))
        to_set, removed = tag_changes(olds.get("tags"), news.get("tags"))
        if removed:
            aws_call(f"{what}: RemoveTags", cloudtrail.remove_tags, ResourceId=id_, TagsList=[{"Key": k} for k in removed])
        if to_set:
            aws_call(f"{what}: AddTags", cloudtrail.add_tags, ResourceId=id_, TagsList=tag_list(to_set))
        return UpdateResult(self._outputs(news, id_))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        call_or_none(f"CloudTrail trail {id_}: DeleteTrail", client("cloudtrail").delete_trail, Name=_name(id_))

    @staticmethod
    def _set_logging(cloudtrail, name: str, on: bool) -> None:
        call = cloudtrail.start_logging if on else cloudtrail.stop_logging
        aws_call(f"CloudTrail trail {name}: {'StartLogging' if on else 'StopLogging'}", call, Name=name)

    def _outputs(self, props: Mapping[str, Any], arn: str) -> dict[str, Any]:
        return self.outputs(props, arn=arn, home_region=arn.split(":")[3])


class CloudTrailTrail(pulumi.dynamic.Resource, module="aws", name="CloudTrailTrail"):
    """A CloudTrail trail; the id is its ARN."""

    arn: pulumi.Output[str]
    home_region: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        name: pulumi.Input[str],
        s3_bucket_name: pulumi.Input[str],
        s3_key_prefix: str | None = None,
        is_multi_region: bool = True,
        enable_log_file_validation: bool = True,
        kms_key_id: pulumi.Input[str] | None = None,
        include_global_service_events: bool = True,
        logging: bool = True,
        tags: Mapping[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "name": name,
            "s3_bucket_name": s3_bucket_name,
            "s3_key_prefix": s3_key_prefix,
            "is_multi_region": is_multi_region,
            "enable_log_file_validation": enable_log_file_validation,
            "kms_key_id": kms_key_id,
            "include_global_service_events": include_global_service_events,
            "logging": logging,
            "tags": dict(tags or {}),
            "arn": None,
            "home_region": None,
        }
        super().__init__(CloudTrailTrailProvider(), resource_name, props, opts)
