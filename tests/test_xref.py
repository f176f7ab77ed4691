"""Cross-reference checks on schema-valid plans (physical names: tests/test_placement.py)."""

from __future__ import annotations

import pytest

from provision.schemas.loader import load_document
from provision.schemas.model import build_plan
from provision.schemas.schema_check import check_schema
from provision.schemas.xref import check_references

PLAN = """\
apiVersion: provision/v1
kind: OutsourcingPlan
metadata: {name: xref-test, owner: platform@example.com}
spec:
  environment: prod
  region: eu-west-1
  dataResidency: eu
  providers:
    aws: {type: cloud}
    claimsco: {type: bpo, accountId: "111122223333", externalIdRef: env:CLAIMSCO}
  functions:
    web:
      type: hosting
      provider: aws
      hosting: {kind: static-site}
    exchange:
      type: data-exchange
      provider: claimsco
      dataExchange: {retentionDays: 30}
    backups:
      type: backup
      provider: aws
      backup: {protects: [web, exchange], rpoHours: 24, retentionDays: 35}
    ops:
      type: monitoring
      provider: aws
      monitoring: {watches: [web], notify: [oncall@example.com]}
  waivers:
    - {policy: PRV-SUS-001, function: web, reason: Latency to Irish customers., expires: 2027-01-31, approvedBy: cto@example.com}
"""


def xref(text: str) -> list[tuple[str, int, int, str, str]]:
    document = load_document(text, filename="p.yaml")
    assert check_schema(document) == []
    return [(f.rule, f.line, f.column, f.message, f.fix) for f in check_references(build_plan(document.data), document)]


def edit(old: str, new: str) -> str:
    assert old in PLAN, old
    return PLAN.replace(old, new, 1)


def test_a_consistent_plan_has_no_findings() -> None:
    assert xref(PLAN) == []


CASES = [
    ("      provider: aws\n      hosting:", "      provider: awz\n      hosting:",
     ("XREF-PROVIDER", 14, 17, "Function `web` names provider `awz`, which is not defined under `spec.providers`.",
      "Did you mean `aws`?")),
    ("      provider: aws\n      hosting:", "      provider: acme\n      hosting:",
     ("XREF-PROVIDER", 14, 17, "Function `web` names provider `acme`, which is not defined under `spec.providers`.",
      "Use one of the providers: aws, claimsco.")),
    ("protects: [web, exchange]", "protects: [web, exchnage]",
     ("XREF-FUNCTION", 23, 32, "`spec.functions.backups.backup.protects[1]` names function `exchnage`, which does not exist.",
      "Did you mean `exchange`?")),
    ("protects: [web, exchange]", "protects: [web, backups]",
     ("XREF-SELF", 23, 32, "`spec.functions.backups.backup.protects[1]`: function `backups` cannot protect itself.",
      "Remove `backups` from `protects`.")),
    ("watches: [web]", "watches: [ops]",
     ("XREF-SELF", 27, 30, "`spec.functions.ops.monitoring.watches[0]`: function `ops` cannot watch itself.",
      "Remove `ops` from `watches`.")),
    ("watches: [web]", "watches: [db]",
     ("XREF-FUNCTION", 27, 30, "`spec.functions.ops.monitoring.watches[0]` names function `db`, which does not exist.",
      "Use one of the functions: backups, exchange, web.")),
    ("{retentionDays: 30}", "{retentionDays: 30, partners: [claimco]}",
     ("XREF-PARTNER", 19, 52, "`spec.functions.exchange.dataExchange.partners[0]` names provider `claimco`, which is not defined.",
      "Did you mean `claimsco`?")),
    ("{retentionDays: 30}", "{retentionDays: 30, partners: [aws]}",
     ("XREF-PARTNER", 19, 52,
      "`spec.functions.exchange.dataExchange.partners[0]` names `aws`, a cloud provider: partners are external vendors (msp or bpo).",
      "Remove `aws`, or list an msp or bpo provider.")),
    ("      provider: claimsco", "      provider: aws",
     ("XREF-PARTNER", 19, 21,
      "Data exchange `exchange` has no external partner: its provider `aws` is `cloud` and `partners` is not set.",
      "List the vendors under `partners:`, or make the bpo vendor the function's provider.")),
    ("policy: PRV-SUS-001", "policy: PRV-SUS-009",
     ("XREF-POLICY", 29, 16, "`spec.waivers[0].policy` names policy `PRV-SUS-009`, which does not exist.",
      "Did you mean `PRV-SUS-001`?")),
    ("function: web, reason", "function: website, reason",
     ("XREF-FUNCTION", 29, 39, "`spec.waivers[0].function` names function `website`, which does not exist.",
      "Did you mean `web`?")),
]


@pytest.mark.parametrize(("old", "new", "expected"), CASES, ids=lambda v: str(v)[:40])
def test_dangling_references_are_located_and_explained(old: str, new: str, expected: tuple) -> None:
    assert xref(edit(old, new)) == [expected]


def test_a_function_may_share_a_providers_name() -> None:
    # Tags keep them apart: provision:function=aws, provision:provider=aws.
    assert xref(edit("    web:\n", "    aws:\n").replace("[web", "[aws").replace("function: web", "function: aws")) == []



def test_a_backup_and_a_monitoring_that_reference_each_other_are_a_cycle() -> None:
    # Found by a generated plan: validate passed it, then plan and apply stopped with a ValueError.
    cycle = edit("watches: [web]", "watches: [web, backups]").replace("protects: [web, exchange]", "protects: [web, exchange, ops]")
    assert xref(cycle) == [
        (
            "XREF-CYCLE",
            27,  # `backups` in ops' watches: the reference that closes the cycle
            35,
            "Functions depend on each other in a cycle: `backups` protects `ops`, `ops` watches `backups`: "
            "none of them can be built before the others.",
            "Remove `backups` from `spec.functions.ops.monitoring.watches`, or another reference of the cycle.",
        )
    ]


def test_a_longer_cycle_is_reported_once_and_a_chain_is_not() -> None:
    chain = edit("watches: [web]", "watches: [web, backups]")
    assert xref(chain) == []
    plan = chain.replace("protects: [web, exchange]", "protects: [web, exchange, ops2]").replace(
        "  waivers:\n",
        "    ops2:\n      type: monitoring\n      provider: aws\n      monitoring: {watches: [ops], notify: [oncall@example.com]}\n  waivers:\n",
    )
    found = xref(plan)
    assert [(rule, message) for rule, _, _, message, _ in found] == [
        (
            "XREF-CYCLE",
            "Functions depend on each other in a cycle: `backups` protects `ops2`, `ops2` watches `ops`, "
            "`ops` watches `backups`: none of them can be built before the others.",
        )
    ]
