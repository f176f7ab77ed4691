"""Prove the SOC is paged: raise findings and watch them arrive through the alerts topic.

For each security-monitoring function, `probe_alerts`:
1. subscribes a temporary SQS queue (SSE-SQS, a policy that lets only the
   alerts topic send) to the function's alerts topic;
2. raises one GuardDuty sample finding (CreateSampleFindings: GuardDuty's own
   test mechanism, marked as a sample) of a type at or above the alert
   threshold, and imports one Security Hub finding of the threshold's
   severity under the account's own product;
3. waits until the queue holds both (as EventBridge, the encrypted topic and
   the key policies let them through) or the time runs out;
4. always removes what it made: the subscription and the queue, and archives
   both findings.

Safe on AWS: nothing the stack owns changes, and no real finding is touched.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from botocore.exceptions import BotoCoreError, ClientError

from provision.stacks.verify.model import CheckResult, ClientFactory

# GuardDuty sample types by the severity their samples carry.
GUARDDUTY_SAMPLES = {
    "low": "Recon:EC2/PortProbeUnprotectedPort",
    "medium": "Recon:IAMUser/MaliciousIPCaller",
    "high": "Backdoor:EC2/C&CActivity.B!DNS",
}
SECURITY_HUB_LABEL = {"low": "LOW", "medium": "MEDIUM", "high": "HIGH", "critical": "CRITICAL"}
POLL_SECONDS = 20  # SQS long polling, the longest wait one call allows


@dataclass
class _Probe:
    function: str
    topic_arn: str
    guardduty_type: str | None
    securityhub_id: str | None
    started: float
    got_guardduty: bool = False
    got_securityhub: bool = False

    def done(self) -> bool:
        return (self.guardduty_type is None or self.got_guardduty) and (self.securityhub_id is None or self.got_securityhub)

    def see(self, event: Mapping[str, Any]) -> None:
        detail = event.get("detail") or {}
        if event.get("source") == "aws.guardduty" and detail.get("type") == self.guardduty_type:
            info = (detail.get("service") or {}).get("additionalInfo") or {}
            self.got_guardduty = self.got_guardduty or bool(info.get("sample"))
        if event.get("source") == "aws.securityhub":
            ids = {f.get("Id") for f in detail.get("findings") or []}
            self.got_securityhub = self.got_securityhub or self.securityhub_id in ids


def _queue(sqs: Any, topic_arn: str) -> tuple[str, str]:
    name = f"provision-alert-probe-{uuid.uuid4().hex[:12]}"
    url = sqs.create_queue(QueueName=name, Attributes={"SqsManagedSseEnabled": "true"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": arn, "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}}]}
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    return url, arn


def _securityhub_finding(account: str, region: str, label: str, finding_id: str, archived: bool = False) -> dict[str, Any]:
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return {
        "SchemaVersion": "2018-10-08",
        "Id": finding_id,
        "ProductArn": f"arn:aws:securityhub:{region}:{account}:product/{account}/default",
        "GeneratorId": "provision-alert-probe",
        "AwsAccountId": account,
        "Types": ["Software and Configuration Checks"],
        "CreatedAt": now,
        "UpdatedAt": now,
        "Severity": {"Label": label},
        "Title": "provision alert probe (test finding, safe to ignore)",
        "Description": "Raised by `provision verify --probe-alerts` to prove alerts reach the SOC; archived at once.",
        "Resources": [{"Type": "Other", "Id": "provision-alert-probe"}],
        "RecordState": "ARCHIVED" if archived else "ACTIVE",
    }


def _raise(clients: ClientFactory, region: str, account: str, outputs: Mapping[str, Any], probe: _Probe,
           label: str) -> None:
    if probe.guardduty_type:
        clients("guardduty", region).create_sample_findings(
            DetectorId=outputs["detector_id"], FindingTypes=[probe.guardduty_type]
        )
    if probe.securityhub_id:
        answer = clients("securityhub", region).batch_import_findings(
            Findings=[_securityhub_finding(account, region, label, probe.securityhub_id)]
        )
        if answer.get("FailedCount"):
            raise RuntimeError(f"Security Hub refused the probe finding: {answer['FailedFindings']}")


def _wait(sqs: Any, url: str, probe: _Probe, deadline: float, clock: Callable[[], float]) -> None:
    while not probe.done() and clock() < deadline:
        wait = int(max(1, min(POLL_SECONDS, deadline - clock())))
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait).get("Messages", []):
            try:
                probe.see(json.loads(message["Body"]))
            except ValueError:
                pass  # not an event: nothing of ours


def _clean_up(clients: ClientFactory, region: str, account: str, outputs: Mapping[str, Any], probe: _Probe,
              label: str) -> None:
    guardduty = clients("guardduty", region)
    if probe.guardduty_type:
        # Only sample findings of the probe's type raised since it started.
        ids = guardduty.list_findings(DetectorId=outputs["detector_id"], FindingCriteria={"Criterion": {
            "type": {"Equals": [probe.guardduty_type]}, "service.archived": {"Equals": ["false"]}}})["FindingIds"]
        for start in range(0, len(ids), 50):
            found = guardduty.get_findings(DetectorId=outputs["detector_id"], FindingIds=ids[start:start + 50])["Findings"]
            samples = [f["Id"] for f in found if json.loads((f["Service"].get("AdditionalInfo") or {}).get("Value") or "{}").get("sample")]
            if samples:
                guardduty.archive_findings(DetectorId=outputs["detector_id"], FindingIds=samples)
    if probe.securityhub_id:
        clients("securityhub", region).batch_import_findings(
            Findings=[_securityhub_finding(account, region, label, probe.securityhub_id, archived=True)]
        )


def probe_alerts(plan: Any, outputs: Mapping[str, Any], clients: ClientFactory, account: str, timeout: float,
                 clock: Callable[[], float] = time.monotonic) -> list[CheckResult]:
    """Probe every security-monitoring function of `plan` deployed with `outputs`; one result per finding kind."""
    results: list[CheckResult] = []
    region = plan.region
    for function in plan.functions_of_type("security-monitoring"):
        out = outputs.get(function.name) or {}
        services = set(function.settings["services"])
        min_severity = function.settings["alerts"]["minSeverity"]
        label = SECURITY_HUB_LABEL[min_severity]
        probe = _Probe(
            function=function.name,
            topic_arn=out["alerts_topic_arn"],
            guardduty_type=GUARDDUTY_SAMPLES.get(min_severity) if "guardduty" in services else None,
            securityhub_id=f"provision-alert-probe-{uuid.uuid4()}" if "securityhub" in services else None,
            started=clock(),
        )
        try:
            _run(clients, region, account, out, probe, label, timeout, clock)
        except (ClientError, BotoCoreError, RuntimeError) as exc:
            results.append(CheckResult("alerts.probe", probe.topic_arn, False, f"the probe itself failed: {exc}"))
            continue
        results += _results(probe, min_severity, services, timeout)
    return results


def _run(clients: ClientFactory, region: str, account: str, out: Mapping[str, Any], probe: _Probe, label: str,
         timeout: float, clock: Callable[[], float]) -> None:
    sqs, sns = clients("sqs", region), clients("sns", region)
    url, queue_arn = _queue(sqs, probe.topic_arn)
    subscription = None
    try:
        subscription = sns.subscribe(TopicArn=probe.topic_arn, Protocol="sqs", Endpoint=queue_arn,
                                     Attributes={"RawMessageDelivery": "true"}, ReturnSubscriptionArn=True)["SubscriptionArn"]
        _raise(clients, region, account, out, probe, label)
        _wait(sqs, url, probe, probe.started + timeout, clock)
    finally:
        try:
            _clean_up(clients, region, account, out, probe, label)
        finally:
            if subscription:
                sns.unsubscribe(SubscriptionArn=subscription)
            sqs.delete_queue(QueueUrl=url)


def _results(probe: _Probe, min_severity: str, services: set[str], timeout: float) -> list[CheckResult]:
    results = []
    if "guardduty" in services:
        if probe.guardduty_type is None:
            results.append(CheckResult("alerts.guardduty-delivered", probe.topic_arn, True,
                                       f"not probed: no GuardDuty sample finding reaches {min_severity}"))
        else:
            results.append(CheckResult(
                "alerts.guardduty-delivered", probe.topic_arn, probe.got_guardduty,
                f"GuardDuty sample finding {probe.guardduty_type} "
                + ("reached the alerts topic's subscribers" if probe.got_guardduty else f"did not arrive within {timeout:g}s"),
            ))
    if probe.securityhub_id:
        results.append(CheckResult(
            "alerts.securityhub-delivered", probe.topic_arn, probe.got_securityhub,
            f"Security Hub finding of severity {SECURITY_HUB_LABEL[min_severity]} "
            + ("reached the alerts topic's subscribers" if probe.got_securityhub else f"did not arrive within {timeout:g}s"),
        ))
    return results
