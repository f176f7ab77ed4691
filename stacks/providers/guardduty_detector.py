"""A GuardDuty detector: enablement, publishing frequency, protection features,
an S3 publishing destination (KMS-encrypted findings export) and tags.

An account has at most one detector per region, so the id is the detector id
AWS assigns. `features` maps GuardDuty feature names (S3_DATA_EVENTS,
EKS_AUDIT_LOGS, EBS_MALWARE_PROTECTION, RDS_LOGIN_EVENTS, LAMBDA_NETWORK_LOGS,
RUNTIME_MONITORING, ...) to on/off; features not listed keep AWS's defaults and
are not tracked for drift.

A landing zone may already run the region's detector. Then it is adopted, not
owned (`adopted` in the state): its settings and tags stay as they are, only
the plan's findings export is added when the detector has none, and destroy
removes only that export. A detector is never deleted unless `provision`
created it: deleting one erases its findings history.
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
)
from provision.stacks.providers.calls import caller_account
from provision.stacks.providers.tag_sync import tag_changes

FREQUENCIES = ("FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS")


def _features(features: Mapping[str, bool] | None) -> list[dict[str, str]]:
    return [{"Name": name, "Status": "ENABLED" if on else "DISABLED"} for name, on in sorted((features or {}).items())]


def _destination_properties(props: Mapping[str, Any]) -> dict[str, str]:
    return {"DestinationArn": props["destination_arn"], "KmsKeyArn": props["destination_kms_key_arn"]}


def _detector_arn(detector_id: str) -> str:
    meta = client("guardduty").meta
    return f"arn:{meta.partition}:guardduty:{meta.region_name}:{caller_account()}:detector/{detector_id}"


class GuardDutyDetectorProvider(AwsResourceProvider):
    OUTPUTS = frozenset({"detector_id", "arn", "destination_id", "adopted"})
    # What verify and the other providers need to know of this kind (see AwsResourceProvider).
    INVENTORY_MARKER = "detector_id"
    NOT_FOUND = frozenset()
    EXISTENCE_PROBE = "existence:_detector"
    TAG_READER = ("tags:_arn_map", "guardduty", "list_tags_for_resource", "ResourceArn")
    VERIFY_CHECKS = ("guardduty.enabled", "tags")

    def create(self, props: dict[str, Any]) -> CreateResult:
        guardduty = client("guardduty")
        existing = self._detectors(guardduty)
        if existing:
            return self._adopt(guardduty, existing[0], props)
        detector_id = aws_call(
            "GuardDuty detector: CreateDetector",
            guardduty.create_detector,
            Enable=props.get("enable", True),
            FindingPublishingFrequency=props.get("finding_publishing_frequency") or "SIX_HOURS",
            Features=_features(props.get("features")),
            Tags=dict(props.get("tags") or {}),
        )["DetectorId"]
        with rollback_on_failure(lambda: guardduty.delete_detector(DetectorId=detector_id)):
            destination_id = self._sync_destination(guardduty, detector_id, None, props)
        return CreateResult(detector_id, self._outputs(props, detector_id, destination_id))

    def _adopt(self, guardduty, detector_id: str, props: dict[str, Any]) -> CreateResult:
        """Use the region's existing detector as not owned; add the export only where there is none."""
        theirs, _ = self._destination(guardduty, detector_id)
        destination_id = None if theirs else self._sync_destination(guardduty, detector_id, None, props)
        return CreateResult(detector_id, self._outputs(props, detector_id, destination_id, adopted=True))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult | None:
        guardduty = client("guardduty")
        if not self._exists(guardduty, id_):
            return None
        what = f"GuardDuty detector {id_}"
        if props.get("adopted"):
            return ReadResult(id_, self._read_adopted(guardduty, id_, props))
        detector = aws_call(f"{what}: GetDetector", guardduty.get_detector, DetectorId=id_)
        managed = props.get("features") or {}
        destination_id, properties = self._destination(guardduty, id_)
        current = {
            **props,
            "enable": detector["Status"] == "ENABLED",
            "finding_publishing_frequency": detector["FindingPublishingFrequency"],
            "features": {f["Name"]: f["Status"] == "ENABLED" for f in detector.get("Features", []) if f["Name"] in managed},
            "destination_arn": properties.get("DestinationArn"),
            "destination_kms_key_arn": properties.get("KmsKeyArn"),
            "tags": detector.get("Tags") or {},
        }
        return ReadResult(id_, self._outputs(current, id_, destination_id))

    def _read_adopted(self, guardduty, detector_id: str, props: dict[str, Any]) -> dict[str, Any]:
        """Not ours: only the export we added is tracked; a removed one reads as drift."""
        ours = props.get("destination_id")
        if not ours:
            return self._outputs(props, detector_id, None, adopted=True)
        found, properties = self._destination(guardduty, detector_id)
        if found != ours:
            properties, found = {}, None
        current = {
            **props,
            "destination_arn": properties.get("DestinationArn"),
            "destination_kms_key_arn": properties.get("KmsKeyArn"),
        }
        return self._outputs(current, detector_id, found, adopted=True)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        guardduty = client("guardduty")
        what = f"GuardDuty detector {id_}"
        if olds.get("adopted"):
            # Not ours: its settings and tags are the landing zone's; only our export follows the plan.
            destination_id = olds.get("destination_id")
            if destination_id or not self._destination(guardduty, id_)[0]:
                destination_id = self._sync_destination(guardduty, id_, destination_id, news)
            return UpdateResult(self._outputs(news, id_, destination_id, adopted=True))
        aws_call(
            f"{what}: UpdateDetector",
            guardduty.update_detector,
            DetectorId=id_,
            Enable=news.get("enable", True),
            FindingPublishingFrequency=news.get("finding_publishing_frequency") or "SIX_HOURS",
            Features=_features(news.get("features")),
        )
        destination_id = self._sync_destination(guardduty, id_, olds.get("destination_id"), news)
        to_set, removed = tag_changes(olds.get("tags"), news.get("tags"))
        if to_set or removed:
            arn = _detector_arn(id_)
            if removed:
                aws_call(f"{what}: UntagResource", guardduty.untag_resource, ResourceArn=arn, TagKeys=removed)
            if to_set:
                aws_call(f"{what}: TagResource", guardduty.tag_resource, ResourceArn=arn, Tags=to_set)
        return UpdateResult(self._outputs(news, id_, destination_id))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        guardduty = client("guardduty")
        # GuardDuty answers a generic BadRequestException for an unknown detector,
        # so look before deleting rather than guess from the error.
        if not self._exists(guardduty, id_):
            return
        if props.get("adopted"):
            # Never the detector itself: that would erase the landing zone's findings history.
            if props.get("destination_id"):
                self._sync_destination(guardduty, id_, props["destination_id"], {})
            return
        aws_call(f"GuardDuty detector {id_}: DeleteDetector", guardduty.delete_detector, DetectorId=id_)

    @classmethod
    def _exists(cls, guardduty, detector_id: str) -> bool:
        return detector_id in cls._detectors(guardduty)

    @staticmethod
    def _detectors(guardduty) -> list[str]:
        pages = guardduty.get_paginator("list_detectors").paginate()
        return aws_call("GuardDuty: ListDetectors", lambda: [d for page in pages for d in page["DetectorIds"]])

    @staticmethod
    def _destination(guardduty, detector_id: str) -> tuple[str | None, dict[str, str]]:
        """The detector's S3 destination id and properties, or (None, {})."""
        what = f"GuardDuty detector {detector_id}"
        listed = aws_call(
            f"{what}: ListPublishingDestinations", guardduty.list_publishing_destinations, DetectorId=detector_id
        )["Destinations"]
        s3 = [d for d in listed if d["DestinationType"] == "S3"]
        if not s3:
            return None, {}
        described = aws_call(
            f"{what}: DescribePublishingDestination",
            guardduty.describe_publishing_destination,
            DetectorId=detector_id,
            DestinationId=s3[0]["DestinationId"],
        )
        return s3[0]["DestinationId"], described["DestinationProperties"]

    @staticmethod
    def _sync_destination(guardduty, detector_id: str, destination_id: str | None, props: Mapping[str, Any]) -> str | None:
        """Create, update or delete the S3 destination to match `props`; returns its id."""
        what = f"GuardDuty detector {detector_id}"
        wanted = bool(props.get("destination_arn"))
        if wanted and destination_id:
            aws_call(
                f"{what}: UpdatePublishingDestination",
                guardduty.update_publishing_destination,
                DetectorId=detector_id,
                DestinationId=destination_id,
                DestinationProperties=_destination_properties(props),
            )
            return destination_id
        if wanted:
            return aws_call(
                f"{what}: CreatePublishingDestination",
                guardduty.create_publishing_destination,
                DetectorId=detector_id,
                DestinationType="S3",
                DestinationProperties=_destination_properties(props),
            )["DestinationId"]
        if destination_id:
            aws_call(
                f"{what}: DeletePublishingDestination",
                guardduty.delete_publishing_destination,
                DetectorId=detector_id,
                DestinationId=destination_id,
            )
        return None

    def _outputs(
        self, props: Mapping[str, Any], detector_id: str, destination_id: str | None, adopted: bool = False
    ) -> dict[str, Any]:
        return self.outputs(
            props, detector_id=detector_id, arn=_detector_arn(detector_id), destination_id=destination_id, adopted=adopted
        )


class GuardDutyDetector(pulumi.dynamic.Resource, module="aws", name="GuardDutyDetector"):
    """The account's GuardDuty detector in the stack's region."""

    detector_id: pulumi.Output[str]
    arn: pulumi.Output[str]
    destination_id: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        *,
        enable: bool = True,
        finding_publishing_frequency: str = "SIX_HOURS",
        features: Mapping[str, bool] | None = None,
        destination_arn: pulumi.Input[str] | None = None,
        destination_kms_key_arn: pulumi.Input[str] | None = None,
        tags: Mapping[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if finding_publishing_frequency not in FREQUENCIES:
            raise ValueError(f"finding_publishing_frequency must be one of {', '.join(FREQUENCIES)}")
        if (destination_arn is None) != (destination_kms_key_arn is None):
            raise ValueError("a publishing destination needs both destination_arn and destination_kms_key_arn")
        props = {
            "enable": enable,
            "finding_publishing_frequency": finding_publishing_frequency,
            "features": dict(features or {}),
            "destination_arn": destination_arn,
            "destination_kms_key_arn": destination_kms_key_arn,
            "tags": dict(tags or {}),
            "detector_id": None,
            "arn": None,
            "destination_id": None,
            "adopted": None,
        }
        super().__init__(GuardDutyDetectorProvider(), resource_name, props, opts)
