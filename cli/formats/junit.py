"""JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure, test-reporter actions).

    <testsuites name="provision validate" tests= failures= errors="0" skipped=>
      <testsuite name="plans/prod.yaml" ...>        one suite per plan file
        <testcase classname="plans/prod.yaml" name="PRV-RES-001 at 12:7">   one case per finding
          <failure type="PRV-RES-001" message="...">text with location and fix</failure>
        </testcase>
        <testcase classname="plans/prod.yaml" name="valid"/>   a clean file: one passing case

Unreadable or invalid input (loader, schema, cross-reference findings: exit 2) are
<error>s, since the checks could not run as meant; mandatory policy violations
are <failure>s (the plan was checked and fails). Both turn the build red. Advisory
and waived findings are <skipped> cases carrying their message: every JUnit UI
lists skipped cases with their reason in plain sight, while <system-out> is
usually folded away, and neither fails the build.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Sequence

from provision.cli.formats.base import ReportLike, fails, ordered_findings, ordered_reports
from provision.cli.formats.plain import visible
from provision.schemas.findings import Finding, Level

SUITES_NAME = "provision validate"
# Characters XML 1.0 cannot carry at all, even escaped (a binary file's message may hold them).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class JunitFormatter:
    name = "junit"

    def render(self, reports: Sequence[ReportLike]) -> str:
        root = ET.Element("testsuites", name=SUITES_NAME)
        totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for report in ordered_reports(reports):
            suite = _suite(report)
            root.append(suite)
            for key in totals:
                totals[key] += int(suite.get(key, "0"))
        for key, value in totals.items():
            root.set(key, str(value))
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(report: ReportLike) -> ET.Element:
    findings = ordered_findings(report.findings)
    suite = ET.Element("testsuite", name=_xml(report.file))
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="policyConfig", value=_xml(getattr(report, "policy_config", "defaults")))
    if not findings:
        ET.SubElement(suite, "testcase", classname=_xml(report.file), name="valid", time="0")
    for finding in findings:
        suite.append(_case(finding))
    errors = sum(1 for finding in findings if finding.level is Level.ERROR)
    failures = sum(1 for finding in findings if fails(finding)) - errors
    suite.set("tests", str(max(len(findings), 1)))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", str(len(findings) - failures - errors))
    suite.set("time", "0")
    return suite


def _case(finding: Finding) -> ET.Element:
    case = ET.Element(
        "testcase",
        classname=_xml(finding.file),
        name=_xml(f"{finding.rule} at {finding.line}:{finding.column}"),
        time="0",
    )
    message = _xml(f"{finding.level.name} {visible(finding.message)}")
    if fails(finding):
        kind = "error" if finding.level is Level.ERROR else "failure"
        failure = ET.SubElement(case, kind, type=_xml(finding.rule), message=message)
        failure.text = _xml(_details(finding))
    else:
        ET.SubElement(case, "skipped", message=message)
    return case


def _details(finding: Finding) -> str:
    text = (f"{visible(finding.file)}:{finding.line}:{finding.column}: {finding.level.name} {finding.rule} "
            f"{visible(finding.message)}")
    return f"{text}\nfix: {visible(finding.fix)}" if finding.fix else text


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
