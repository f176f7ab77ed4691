"""#19 item 1: one run reports every knowable mistake.

Schema errors inside one function no longer hide cross-reference and policy
findings in the rest of the plan; a duplicate key is reported and checking goes
on with the last value; what can still hide other findings is documented.
"""

from __future__ import annotations

import json

import pytest

TODAY = ["--today", "2026-12-01"]

BROKEN_WEB = ("sla: {availability: 99.9}\n      hosting", "sla: {availability: high}\n      hosting")
US_COPY = ("copyToRegion: eu-central-1", "copyToRegion: us-east-1")
RES_001 = ("PRV-RES-001", "mandatory", 46,
           "backup function 'backups' copies recovery points to us-east-1, outside data residency 'eu' "
           "(allowed: eu-* except eu-central-2, eu-west-2)")
SCHEMA_WEB = ("SCHEMA", "error", 35, "`spec.functions.web.sla.availability` must be a number, not text.")


def findings(result) -> list[tuple]:
    [file] = json.loads(result.stdout)["files"]
    return [(f["rule"], f["level"], f["line"], f["message"]) for f in file["findings"]]


@pytest.mark.parametrize(
    ("case", "replacements", "expected"),
    [
        ("a schema error in one function and a policy violation in another",
         [BROKEN_WEB, US_COPY], [SCHEMA_WEB, RES_001]),
        ("a schema error in one function and a dangling provider in another",
         [BROKEN_WEB, ("provider: nightwatch\n      tier: critical", "provider: nightwach\n      tier: critical")],
         [SCHEMA_WEB, ("XREF-PROVIDER", "error", 50,
                       "Function `soc` names provider `nightwach`, which is not defined under `spec.providers`.")]),
        # Without the broken `soc`, the plan would lack security monitoring (PRV-GDPR-002,
        # PRV-SEC-001): those results depend on the function set aside, so they are not reported.
        ("the function set aside is the one other policies rely on",
         [("trailRetentionDays: 365", "trailRetentionDays: long"), US_COPY],
         [RES_001, ("SCHEMA", "error", 56,
                    "`spec.functions.soc.securityMonitoring.trailRetentionDays` must be a whole number, not text.")]),
        ("a duplicate key is reported and the last value is checked",
         [("    web:\n      type: hosting", "    web:\n      type: hosting\n      tier: standard"), US_COPY],
         [("LOAD-DUPLICATE-KEY", "error", 34,
           "Duplicate key `tier`: it is already defined at line 32, column 7; YAML keeps only this last one, "
           "and so do the other checks."),
          ("PRV-RES-001", "mandatory", 47, RES_001[3])]),
        # A schema error outside the functions still stops the later checks (documented in docs/rules.md).
        ("a schema error in the header hides the policies",
         [("environment: prod", "environment: 42"), US_COPY],
         [("SCHEMA", "error", 13, "`spec.environment` is `42`, which is not one of the allowed values.")]),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_item1_every_knowable_mistake_in_one_run(run, edited, case, replacements, expected) -> None:
    result = run("validate", edited("saas-startup", *replacements), "--format", "json", *TODAY)
    assert (findings(result), result.exit_code) == (expected, 2)


def test_item1_the_function_set_aside_reports_nothing_else(run, edited) -> None:
    # `backups` protects the broken `web`: that reference is unchecked, not dangling.
    result = run("validate", edited("saas-startup", BROKEN_WEB), "--format", "json", *TODAY)
    assert (findings(result), result.exit_code) == ([SCHEMA_WEB], 2)


def test_item1_help_promises_every_problem_and_says_what_can_hide_others(run) -> None:
    result = run("validate", "--help")
    text = " ".join(result.stdout.split())
    assert result.exit_code == 0
    assert "every problem it can know of is reported" in text
    assert "docs/rules.md" in text
