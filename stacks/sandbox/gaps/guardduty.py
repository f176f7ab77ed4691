"""GuardDuty: publishing destinations and resource tagging, which moto 5.2.1 lacks.

Operations and shapes follow the botocore model (restJson1, camelCase members):
- CreatePublishingDestination   POST   /detector/{detectorId}/publishingDestination
- ListPublishingDestinations    GET    /detector/{detectorId}/publishingDestination
- DescribePublishingDestination GET    /detector/{detectorId}/publishingDestination/{destinationId}
- UpdatePublishingDestination   POST   /detector/{detectorId}/publishingDestination/{destinationId}
- DeletePublishingDestination   DELETE /detector/{detectorId}/publishingDestination/{destinationId}
- TagResource / UntagResource / ListTagsForResource on /tags/{resourceArn}
  (detectors; TagResource and UntagResource answer 204).

Every error is a 400 BadRequestException, as GuardDuty answers. CreateDetector
is refused while the account already has a detector in the region, as on AWS
(moto allows any number). As on AWS,
the destination must exist first: the S3 bucket of `destinationArn`
(optionally with a folder) and the KMS key of `kmsKeyArn`. A destination
publishes at once (status PUBLISHING); ClientToken idempotency is not modelled.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

from moto.core.exceptions import JsonRESTError
from moto.guardduty import urls
from moto.guardduty.models import Detector, GuardDutyBackend
from moto.guardduty.responses import GuardDutyResponse
from moto.kms.models import kms_backends
from moto.moto_api._internal import mock_random
from moto.s3.models import s3_backends

BUCKET_ARN = re.compile(r"arn:[a-z-]+:s3:::(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(/.*)?")
KEY_ARN = re.compile(r"arn:[a-z-]+:kms:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):key/(?P<key_id>[\w-]+)")
DETECTOR_ARN = re.compile(r"arn:[a-z-]+:guardduty:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):detector/(?P<id>\w+)")


class BadRequest(JsonRESTError):
    """GuardDuty's 400; the error code travels in X-Amzn-ErrorType like moto's own."""

    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("BadRequestException", message)

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        return [("X-Amzn-ErrorType", "BadRequestException")]


DETECTOR_EXISTS = "The request is rejected because a detector already exists for the current account."
INVALID_VALUE = "The request is rejected because an invalid or out-of-range value is specified as an input parameter."


class PublishingDestination:
    def __init__(self, destination_type: str, properties: dict[str, str], tags: dict[str, str]) -> None:
        self.id = mock_random.get_random_hex(length=32)
        self.type = destination_type
        self.properties = properties
        self.tags = tags
        self.status = "PUBLISHING"

    def summary(self) -> dict[str, Any]:
        return {"destinationId": self.id, "destinationType": self.type, "status": self.status}

    def describe(self) -> dict[str, Any]:
        # publishingFailureStartTimestamp is 0 while publishing never failed.
        return {
            **self.summary(),
            "publishingFailureStartTimestamp": 0,
            "destinationProperties": self.properties,
            "tags": self.tags,
        }


def _destinations(detector: Detector) -> dict[str, PublishingDestination]:
    # Kept on the detector, so deleting the detector drops its destinations.
    return detector.__dict__.setdefault("publishing_destinations", {})


def _check_properties(backend: GuardDutyBackend, properties: dict[str, str] | None) -> dict[str, str]:
    properties = properties or {}
    bucket = BUCKET_ARN.fullmatch(properties.get("destinationArn", ""))
    if not bucket:
        raise BadRequest(INVALID_VALUE)
    if bucket["bucket"] not in s3_backends[backend.account_id][backend.partition].buckets:
        raise BadRequest(f"The request failed because the S3 bucket {bucket['bucket']} does not exist.")
    key = KEY_ARN.fullmatch(properties.get("kmsKeyArn", ""))
    if not key:
        raise BadRequest(INVALID_VALUE)
    if key["key_id"] not in kms_backends[key["account"]][key["region"]].keys:
        raise BadRequest(f"The request failed because the KMS key {properties['kmsKeyArn']} does not exist.")
    return {k: v for k, v in properties.items() if k in ("destinationArn", "kmsKeyArn", "expectedBucketOwner")}


def _destination(backend: GuardDutyBackend, detector_id: str, destination_id: str) -> PublishingDestination:
    found = _destinations(backend.get_detector(detector_id)).get(destination_id)
    if found is None:
        raise BadRequest("The request is rejected because the input destinationId is not owned by the current account.")
    return found


def _detector_by_arn(backend: GuardDutyBackend, arn: str) -> Detector:
    match = DETECTOR_ARN.fullmatch(arn)
    if not match or (match["account"], match["region"]) != (backend.account_id, backend.region_name):
        raise BadRequest("The request is rejected because the input resourceArn is not valid.")
    detector = backend.detectors.get(match["id"])
    if detector is None:
        raise BadRequest("The request is rejected because the input resourceArn is not owned by the current account.")
    return detector


_original_create_detector = GuardDutyBackend.create_detector


def _create_detector(self: GuardDutyBackend, *args: Any, **kwargs: Any) -> str:
    if self.detectors:
        raise BadRequest(DETECTOR_EXISTS)
    return _original_create_detector(self, *args, **kwargs)


# --- responses: path parameters come from the URL, members from the JSON body ---


def _body(self: GuardDutyResponse) -> dict[str, Any]:
    return json.loads(self.body or "{}")


def _path_ids(self: GuardDutyResponse) -> list[str]:
    """[detectorId] or [detectorId, destinationId] from the request path."""
    after = self.path.split("/detector/", 1)[1].split("/")
    return [after[0]] + after[2:3]


def _create_publishing_destination(self: GuardDutyResponse) -> str:
    (detector_id,) = _path_ids(self)
    body = _body(self)
    detector = self.guardduty_backend.get_detector(detector_id)
    if body.get("destinationType") != "S3":
        raise BadRequest(INVALID_VALUE)
    properties = _check_properties(self.guardduty_backend, body.get("destinationProperties"))
    destination = PublishingDestination("S3", properties, body.get("tags") or {})
    _destinations(detector)[destination.id] = destination
    return json.dumps({"destinationId": destination.id})


def _list_publishing_destinations(self: GuardDutyResponse) -> str:
    (detector_id,) = _path_ids(self)
    destinations = _destinations(self.guardduty_backend.get_detector(detector_id)).values()
    return json.dumps({"destinations": [d.summary() for d in destinations]})


def _describe_publishing_destination(self: GuardDutyResponse) -> str:
    return json.dumps(_destination(self.guardduty_backend, *_path_ids(self)).describe())


def _update_publishing_destination(self: GuardDutyResponse) -> str:
    destination = _destination(self.guardduty_backend, *_path_ids(self))
    properties = _body(self).get("destinationProperties")
    if properties is not None:
        destination.properties = _check_properties(self.guardduty_backend, {**destination.properties, **properties})
    return "{}"


def _delete_publishing_destination(self: GuardDutyResponse) -> str:
    detector_id, destination_id = _path_ids(self)
    _destination(self.guardduty_backend, detector_id, destination_id)
    del _destinations(self.guardduty_backend.get_detector(detector_id))[destination_id]
    return "{}"


def _resource_arn(self: GuardDutyResponse) -> str:
    return unquote(self.path.split("/tags/", 1)[1])


def _tag_resource(self: GuardDutyResponse) -> tuple[str, dict[str, Any]]:
    detector = _detector_by_arn(self.guardduty_backend, _resource_arn(self))
    detector.tags = {**detector.tags, **(_body(self).get("tags") or {})}
    return "", {"status": 204}


def _untag_resource(self: GuardDutyResponse) -> tuple[str, dict[str, Any]]:
    detector = _detector_by_arn(self.guardduty_backend, _resource_arn(self))
    keys = set(self.querystring.get("tagKeys", []))
    detector.tags = {k: v for k, v in detector.tags.items() if k not in keys}
    return "", {"status": 204}


def _list_tags_for_resource(self: GuardDutyResponse) -> str:
    return json.dumps({"tags": _detector_by_arn(self.guardduty_backend, _resource_arn(self)).tags})


_DETECTOR = "{0}/detector/(?P<detector_id>[^/]+)"
URL_PATHS = {
    _DETECTOR + "/publishingDestination$": GuardDutyResponse.dispatch,
    _DETECTOR + "/publishingDestination/(?P<destination_id>[^/]+)$": GuardDutyResponse.dispatch,
    "{0}/tags/(?P<resource_arn>.+)$": GuardDutyResponse.dispatch,
}


def install() -> None:
    """Add the routes and request handlers to moto's GuardDuty service."""
    urls.url_paths.update(URL_PATHS)
    GuardDutyBackend.create_detector = _create_detector
    GuardDutyResponse.create_publishing_destination = _create_publishing_destination
    GuardDutyResponse.list_publishing_destinations = _list_publishing_destinations
    GuardDutyResponse.describe_publishing_destination = _describe_publishing_destination
    GuardDutyResponse.update_publishing_destination = _update_publishing_destination
    GuardDutyResponse.delete_publishing_destination = _delete_publishing_destination
    GuardDutyResponse.tag_resource = _tag_resource
    GuardDutyResponse.untag_resource = _untag_resource
    GuardDutyResponse.list_tags_for_resource = _list_tags_for_resource
