"""#19 item 4: each fix says what to do about the very condition that failed (exact texts)."""

from __future__ import annotations

import json

import pytest

TODAY = ["--today", "2026-12-01"]
NO_COPY = ("        copyToRegion: eu-central-1\n", "")


def of_rule(result, rule: str) -> list[tuple[str, str]]:
    [file] = json.loads(result.stdout)["files"]
    return [(f["message"], f["fix"]) for f in file["findings"] if f["rule"] == rule]


CASES = [
    # contractEnds is there: only exitPlan is asked for.
    ("PRV-VEN-002", "saas-startup", [("      exitPlan: docs/exit/nightwatch.md\n", "")],
     [("provider 'nightwatch' runs critical 'soc' but declares no exitPlan",
       "Add exitPlan (a path or URL to the exit plan) to provider 'nightwatch'.")]),
    ("PRV-VEN-002", "saas-startup", [("      contractEnds: 2028-03-31\n", "")],
     [("provider 'nightwatch' runs critical 'soc' but declares no contractEnds",
       "Add contractEnds (the contract's end date, YYYY-MM-DD) to provider 'nightwatch'.")]),
    # Monitoring exists: only the backup is asked for.
    ("PRV-BPO-001", "us-healthcare", [("protects: [claims-exchange]", "protects: [member-site]")],
     [("data-exchange function 'claims-exchange' is not protected by any backup function",
       "List 'claims-exchange' in a backup function's backup.protects (add a backup function if there is none).")]),
    # CloudTrail runs: only the retention is short.
    ("PRV-HIPAA-001", "us-healthcare", [("trailRetentionDays: 2190", "trailRetentionDays: 400")],
     [("security-monitoring function 'soc' keeps its audit trail 400 days; HIPAA needs at least 2190 (6 years)",
       "Set trailRetentionDays of 'soc' to at least 2190.")]),
    ("PRV-HIPAA-001", "us-healthcare", [("services: [guardduty, cloudtrail, securityhub, config]",
                                         "services: [guardduty, securityhub, config]")],
     [("the plan declares hipaa but no security-monitoring function runs cloudtrail; HIPAA needs an audit "
       "trail kept at least 2190 days",
       "Add cloudtrail to the services of a security-monitoring function, with trailRetentionDays of at least 2190.")]),
    # `uk` has one region: no second region inside it to ask for.
    ("PRV-BAK-003", "saas-startup", [("region: eu-west-1", "region: eu-west-2"), ("dataResidency: eu", "dataResidency: uk"),
                                     NO_COPY],
     [("backup function 'backups' protects critical function 'web' but keeps no copy in a second region",
       "Set backup.copyToRegion of 'backups' to a region other than eu-west-2 inside data residency 'uk' "
       "(eu-west-2, eu-* except eu-central-2).")]),
    ("PRV-BAK-003", "saas-startup", [NO_COPY, ("immutable: true", "immutable: false")],
     [("backup function 'backups' protects critical function 'web' but is not immutable",
       "Set backup.immutable: true on 'backups' (a vault lock)."),
      ("backup function 'backups' protects critical function 'web' but keeps no copy in a second region",
       "Set backup.copyToRegion of 'backups' to a region other than eu-west-1 inside data residency 'eu' "
       "(eu-* except eu-central-2, eu-west-2).")]),
    # Lower-carbon regions are named, inside the residency.
    ("PRV-SUS-001", "us-healthcare", [("region: us-east-1", "region: us-east-2")],
     [("home region us-east-2 runs on a grid of about 411 gCO2e/kWh, above 400; inside residency 'us' consider "
       "us-west-1 (322), us-west-2 (322), us-east-1 (379)",
       "Move spec.region to one of us-west-1 (322), us-west-2 (322), us-east-1 (379) (inside data residency "
       "'us'), or accept the advisory.")]),
    ("PRV-SUS-001", "saas-startup", [("region: eu-west-1", "region: ap-southeast-2"),
                                     ("dataResidency: eu", "dataResidency: apac"),
                                     ("copyToRegion: eu-central-1", "copyToRegion: ap-southeast-1")],
     [("home region ap-southeast-2 runs on a grid of about 760 gCO2e/kWh, above 400",
       "No region inside data residency 'apac' is under 400 gCO2e/kWh; the cleanest are ap-southeast-1 (408), "
       "ap-northeast-2 (416), ap-northeast-1 (466). Move spec.region to one of them, or accept the advisory.")]),
]


@pytest.mark.parametrize(("rule", "example", "replacements", "expected"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_item4_fix_matches_the_failing_condition(run, edited, rule, example, replacements, expected) -> None:
    result = run("validate", edited(example, *replacements), "--format", "json", *TODAY)
    assert result.exit_code in (0, 1), result.output
    assert sorted(of_rule(result, rule)) == sorted(expected)
