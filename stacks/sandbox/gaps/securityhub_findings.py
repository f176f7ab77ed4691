"""Security Hub findings reach EventBridge, as on AWS; moto 5.2.1 only stores them.

BatchImportFindings, as AWS answers it:
- the account must be subscribed (else 401 InvalidAccessException);
- each finding needs the required ASFF fields, this account's AwsAccountId and
  its own product ARN (`arn:aws:securityhub:<region>:<account>:product/<account>/default`);
  a finding that fails goes to FailedFindings (ErrorCode InvalidInput), the others import;
- an imported finding gets what Security Hub adds (ProductName "Default",
  CompanyName "Personal", Region, RecordState ACTIVE, Workflow NEW, a Severity
  label from Normalized) and goes to EventBridge: source aws.securityhub,
  detail-type "Security Hub Findings - Imported", detail {"findings": [finding]}.

GuardDuty findings are imported the same way when the hub is on
(`import_guardduty_finding`), with ProductName "GuardDuty".
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from moto.securityhub.exceptions import SecurityHubClientError
from moto.securityhub.models import SecurityHubBackend, securityhub_backends

REQUIRED = ("SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "Types", "CreatedAt", "UpdatedAt",
            "Severity", "Title", "Description", "Resources")  # fmt: skip
NOT_SUBSCRIBED = "Account is not subscribed to AWS Security Hub"

_original_import = SecurityHubBackend.batch_import_findings


def label_of(normalized: float) -> str:
    """Security Hub's label for a normalized severity (0-100)."""
    for floor, label in ((90, "CRITICAL"), (70, "HIGH"), (40, "MEDIUM"), (1, "LOW")):
        if normalized >= floor:
            return label
    return "INFORMATIONAL"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _problem(backend: SecurityHubBackend, finding: dict[str, Any]) -> str | None:
    missing = [field for field in REQUIRED if field not in finding]
    if missing:
        return f"Finding does not adhere to Amazon Security Finding Format. Missing: {', '.join(missing)}"
    if finding["AwsAccountId"] != backend.account_id:
        return f"AwsAccountId {finding['AwsAccountId']} is not this account"
    own = f"arn:aws:securityhub:{backend.region_name}:{backend.account_id}:product/{backend.account_id}/default"
    if finding["ProductArn"] != own and not finding.get("_provision_service_import"):
        return f"ProductArn {finding['ProductArn']} is not a product this account can import findings for"
    severity = finding["Severity"]
    if not isinstance(severity, dict) or not ("Label" in severity or "Normalized" in severity):
        return "Severity needs a Label or a Normalized value"
    return None


def _enriched(backend: SecurityHubBackend, finding: dict[str, Any]) -> dict[str, Any]:
    finding = {k: v for k, v in finding.items() if k != "_provision_service_import"}
    severity = dict(finding["Severity"])
    severity.setdefault("Label", label_of(float(severity.get("Normalized", 0))))
    return {
        "ProductName": "Default",
        "CompanyName": "Personal",
        "Region": backend.region_name,
        "RecordState": "ACTIVE",
        "Workflow": {"Status": "NEW"},
        "WorkflowState": "NEW",
        "ProcessedAt": _now(),
        **finding,
        "Severity": severity,
    }


def _emit(backend: SecurityHubBackend, finding: dict[str, Any]) -> None:
    from moto.events.models import events_backends

    events_backends[backend.account_id][backend.region_name].put_events(
        [{"Source": "aws.securityhub", "DetailType": "Security Hub Findings - Imported",
          "Detail": json.dumps({"findings": [finding]}), "Resources": [finding.get("ProductArn", "")]}]
    )


def batch_import_findings(self: SecurityHubBackend, findings: list[dict[str, Any]]) -> tuple[int, int, list[dict[str, Any]]]:
    if not self.enabled:
        raise SecurityHubClientError("InvalidAccessException", NOT_SUBSCRIBED)
    failed: list[dict[str, Any]] = []
    accepted = []
    for finding in findings:
        problem = _problem(self, finding)
        if problem:
            failed.append({"Id": finding.get("Id", ""), "ErrorCode": "InvalidInput", "ErrorMessage": problem})
        else:
            accepted.append(_enriched(self, finding))
    failed_count, success_count, more_failed = _original_import(self, accepted) if accepted else (0, 0, [])
    for finding in accepted:
        _emit(self, finding)
    return failed_count + len(failed), success_count, failed + more_failed


def import_guardduty_finding(account: str, region: str, finding: dict[str, Any]) -> None:
    """What Security Hub does with a GuardDuty finding when the hub is on: import it as ASFF."""
    backend = securityhub_backends[account][region]
    if not backend.enabled:
        return
    normalized = int(float(finding["severity"]) * 10)
    backend.batch_import_findings([{
        "_provision_service_import": True,
        "SchemaVersion": "2018-10-08",
        "Id": finding["arn"],
        "ProductArn": f"arn:aws:securityhub:{region}::product/aws/guardduty",
        "ProductName": "GuardDuty",
        "CompanyName": "Amazon",
        "GeneratorId": finding["arn"].split("/finding/")[0],
        "AwsAccountId": account,
        "Types": [f"TTPs/{finding['type']}"],
        "CreatedAt": finding["createdAt"],
        "UpdatedAt": finding["updatedAt"],
        "Severity": {"Product": finding["severity"], "Normalized": normalized, "Label": label_of(normalized)},
        "Title": finding["title"],
        "Description": finding["description"],
        "Resources": [{"Type": "Other", "Id": finding["resource"]["resourceType"]}],
    }])


def install() -> None:
    """Route imported findings to EventBridge, with AWS's checks."""
    SecurityHubBackend.batch_import_findings = batch_import_findings
