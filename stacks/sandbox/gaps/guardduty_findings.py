"""GuardDuty findings: CreateSampleFindings, ListFindings, GetFindings, ArchiveFindings.

moto 5.2.1 has no findings at all. Shapes follow the botocore model
(restJson1, camelCase):
- CreateSampleFindings POST /detector/{detectorId}/findings/create {findingTypes}
- ListFindings         POST /detector/{detectorId}/findings
- GetFindings          POST /detector/{detectorId}/findings/get {findingIds}
- ArchiveFindings      POST /detector/{detectorId}/findings/archive {findingIds}

As on AWS, a sample finding is marked `service.additionalInfo.sample` and its
title starts with "[SAMPLE]"; no finding types means one sample of each type;
an unknown type is a 400 BadRequestException. Each new finding goes to
EventBridge as AWS routes it (source aws.guardduty, detail-type "GuardDuty
Finding", detail the finding) and, when Security Hub is on in the region, is
imported there as an ASFF finding from the GuardDuty product (see
gaps.securityhub_findings), which emits its own "Security Hub Findings -
Imported" event.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from moto.guardduty import urls
from moto.guardduty.models import Detector, GuardDutyBackend
from moto.guardduty.responses import GuardDutyResponse
from moto.moto_api._internal import mock_random

from provision.stacks.sandbox.gaps.guardduty import INVALID_VALUE, BadRequest

# type -> (severity, resource type, title); severities as GuardDuty rates its samples.
FINDING_TYPES = {
    "Backdoor:EC2/C&CActivity.B!DNS": (8.0, "Instance", "Command and Control server domain name queried by EC2 instance."),
    "CryptoCurrency:EC2/BitcoinTool.B!DNS": (8.0, "Instance", "Bitcoin-related domain name queried by EC2 instance."),
    "Discovery:S3/MaliciousIPCaller": (5.0, "S3Bucket", "S3 API invoked from a known malicious IP address."),
    "Policy:S3/BucketBlockPublicAccessDisabled": (2.0, "S3Bucket", "Amazon S3 Block Public Access was disabled for an S3 bucket."),
    "Recon:EC2/PortProbeUnprotectedPort": (2.0, "Instance", "Unprotected port on EC2 instance is being probed."),
    "Recon:IAMUser/MaliciousIPCaller": (5.0, "AccessKey", "Reconnaissance API invoked from a known malicious IP address."),
    "Trojan:EC2/DNSDataExfiltration": (8.0, "Instance", "Data exfiltration through DNS queries from EC2 instance."),
    "UnauthorizedAccess:EC2/SSHBruteForce": (2.0, "Instance", "SSH brute force attacks against an EC2 instance."),
    "UnauthorizedAccess:EC2/TorClient": (8.0, "Instance", "EC2 instance is communicating with Tor Entry Guard nodes."),
    "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS": (
        8.0, "AccessKey", "Credentials for an EC2 instance role used from an external IP address.",
    ),
}  # fmt: skip


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _resource(kind: str, account: str, region: str) -> dict[str, Any]:
    if kind == "Instance":
        return {"resourceType": "Instance", "instanceDetails": {
            "instanceId": "i-99999999", "instanceType": "m3.xlarge", "availabilityZone": f"{region}a",
            "tags": [{"key": "GeneratedFindingInstanceTag1", "value": "GeneratedFindingInstanceTagValue1"}]}}
    if kind == "S3Bucket":
        return {"resourceType": "S3Bucket", "s3BucketDetails": [{
            "arn": "arn:aws:s3:::bucketName", "name": "bucketName", "type": "Destination",
            "owner": {"id": "CanonicalId of Owner"}}]}
    return {"resourceType": "AccessKey", "accessKeyDetails": {
        "accessKeyId": "GeneratedFindingAccessKeyId", "principalId": "GeneratedFindingPrincipalId",
        "userName": "GeneratedFindingUserName", "userType": "IAMUser"}}


def sample_finding(backend: GuardDutyBackend, detector: Detector, finding_type: str) -> dict[str, Any]:
    """One sample finding of `finding_type`, in GetFindings' shape."""
    severity, kind, title = FINDING_TYPES[finding_type]
    finding_id = mock_random.get_random_hex(length=32)
    now = _now()
    account, region = backend.account_id, backend.region_name
    return {
        "accountId": account,
        "arn": f"arn:aws:guardduty:{region}:{account}:detector/{detector.id}/finding/{finding_id}",
        "createdAt": now,
        "description": f"{title} This is a sample finding.",
        "id": finding_id,
        "partition": "aws",
        "region": region,
        "resource": _resource(kind, account, region),
        "schemaVersion": "2.0",
        "service": {
            "serviceName": "guardduty",
            "detectorId": detector.id,
            "archived": False,
            "count": 1,
            "eventFirstSeen": now,
            "eventLastSeen": now,
            "resourceRole": "TARGET",
            "additionalInfo": {"value": json.dumps({"sample": True}), "type": "default"},
        },
        "severity": severity,
        "title": f"[SAMPLE] {title}",
        "type": finding_type,
        "updatedAt": now,
    }


def _findings(detector: Detector) -> dict[str, dict[str, Any]]:
    return detector.__dict__.setdefault("gap_findings", {})


def _as_event_detail(finding: dict[str, Any]) -> dict[str, Any]:
    """EventBridge carries additionalInfo as an object, not GetFindings' JSON string."""
    detail = json.loads(json.dumps(finding))
    info = detail["service"].get("additionalInfo") or {}
    detail["service"]["additionalInfo"] = json.loads(info.get("value") or "{}")
    return detail


def _emit(backend: GuardDutyBackend, finding: dict[str, Any]) -> None:
    from moto.events.models import events_backends

    from provision.stacks.sandbox.gaps import securityhub_findings

    events_backends[backend.account_id][backend.region_name].put_events(
        [{"Source": "aws.guardduty", "DetailType": "GuardDuty Finding", "Detail": json.dumps(_as_event_detail(finding)),
          "Resources": []}]
    )
    securityhub_findings.import_guardduty_finding(backend.account_id, backend.region_name, finding)


def create_sample_findings(backend: GuardDutyBackend, detector_id: str, finding_types: list[str]) -> list[dict[str, Any]]:
    detector = backend.get_detector(detector_id)
    unknown = [t for t in finding_types if t not in FINDING_TYPES]
    if unknown:
        raise BadRequest(INVALID_VALUE)
    created = [sample_finding(backend, detector, t) for t in (finding_types or sorted(FINDING_TYPES))]
    for finding in created:
        _findings(detector)[finding["id"]] = finding
        _emit(backend, finding)
    return created


# --- responses ---


def _detector_id(self: GuardDutyResponse) -> str:
    return self.path.split("/detector/", 1)[1].split("/")[0]


def _body(self: GuardDutyResponse) -> dict[str, Any]:
    return json.loads(self.body or "{}")


def _create_sample_findings(self: GuardDutyResponse) -> str:
    create_sample_findings(self.guardduty_backend, _detector_id(self), _body(self).get("findingTypes") or [])
    return "{}"


def _list_findings(self: GuardDutyResponse) -> str:
    findings = _findings(self.guardduty_backend.get_detector(_detector_id(self))).values()
    # The criteria callers use: `equals` on type and on service.archived.
    criterion = (_body(self).get("findingCriteria") or {}).get("criterion", {})

    def wanted(field: str) -> list[str] | None:
        condition = criterion.get(field) or {}
        return condition.get("equals", condition.get("eq")) or None

    types, archived = wanted("type"), wanted("service.archived")
    ids = [
        f["id"] for f in findings
        if (types is None or f["type"] in types)
        and (archived is None or str(f["service"]["archived"]).lower() in archived)
    ]
    return json.dumps({"findingIds": ids})


def _get_findings(self: GuardDutyResponse) -> str:
    found = _findings(self.guardduty_backend.get_detector(_detector_id(self)))
    ids = _body(self).get("findingIds") or []
    if not 1 <= len(ids) <= 50:
        raise BadRequest(INVALID_VALUE)
    return json.dumps({"findings": [found[i] for i in ids if i in found]})


def _archive_findings(self: GuardDutyResponse) -> str:
    found = _findings(self.guardduty_backend.get_detector(_detector_id(self)))
    ids = _body(self).get("findingIds") or []
    if not 1 <= len(ids) <= 50:
        raise BadRequest(INVALID_VALUE)
    for finding_id in ids:
        if finding_id in found:
            found[finding_id]["service"]["archived"] = True
            found[finding_id]["updatedAt"] = _now()
    return "{}"


_DETECTOR = "{0}/detector/(?P<detector_id>[^/]+)"
URL_PATHS = {
    _DETECTOR + "/findings$": GuardDutyResponse.dispatch,
    _DETECTOR + "/findings/create$": GuardDutyResponse.dispatch,
    _DETECTOR + "/findings/get$": GuardDutyResponse.dispatch,
    _DETECTOR + "/findings/archive$": GuardDutyResponse.dispatch,
}


def install() -> None:
    """Add the findings routes and handlers to moto's GuardDuty service."""
    urls.url_paths.update(URL_PATHS)
    GuardDutyResponse.create_sample_findings = _create_sample_findings
    GuardDutyResponse.list_findings = _list_findings
    GuardDutyResponse.get_findings = _get_findings
    GuardDutyResponse.archive_findings = _archive_findings
