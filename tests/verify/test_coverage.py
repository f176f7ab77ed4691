"""What the plan promises the state holds at all, and the runner that puts coverage and checks together."""

from __future__ import annotations

from provision.stacks.verify.coverage import coverage
from provision.stacks.verify.model import LiveResource
from provision.stacks.verify.runner import verify


def res(kind: str, function: str | None, name: str = "") -> LiveResource:
    return LiveResource(urn=f"urn:{kind}:{name}", name=name or f"{function}-{kind}", kind=kind, function=function, id=f"{kind}-id")


COMPLETE = [
    res("KmsKey", "web"), res("S3Bucket", "web"), res("CloudFrontDistribution", "web"),
    res("KmsKey", "backups"), res("BackupVault", "backups"), res("BackupPlan", "backups"), res("BackupSelection", "backups"),
    res("KmsKey", "soc"), res("SnsTopic", "soc"), res("GuardDutyDetector", "soc"), res("CloudTrailTrail", "soc"),
    res("SecurityHubAccount", "soc"), res("ConfigRecorder", "soc"),
    res("IamRole", None, "vendor-access-nightwatch"),
]  # fmt: skip


def test_a_complete_stack_covers_every_function_and_vendor(plan):
    assert [(r.resource, r.passed, r.detail) for r in coverage(plan, COMPLETE)] == [
        ("function web", True, "3 resources"),
        ("function backups", True, "4 resources"),
        ("function soc", True, "6 resources"),
        ("provider nightwatch", True, "vendor access role deployed"),
    ]


def test_missing_functions_services_and_roles_fail(plan):
    partial = [r for r in COMPLETE if r.function != "web" and r.kind not in {"ConfigRecorder", "IamRole"}]
    assert [(r.check, r.resource, r.passed, r.detail) for r in coverage(plan, partial) if not r.passed] == [
        ("plan.deployed", "function web", False, "nothing deployed for it: run provision apply"),
        ("plan.deployed", "function soc", False, "no ConfigRecorder in the stack (security-monitoring)"),
        ("plan.deployed", "provider nightwatch", False, "no vendor access role in the stack"),
    ]


def test_verify_reports_coverage_then_checks_and_lists_what_it_cannot_audit(plan, verify_ctx):
    selection = res("BackupSelection", "backups")
    report = verify(verify_ctx(selection))
    assert report.unaudited == [selection]
    assert [r.check for r in report.results] == ["plan.deployed"] * 4
    assert not report.passed
    assert [r.resource for r in report.failures] == ["function web", "function backups", "function soc", "provider nightwatch"]
