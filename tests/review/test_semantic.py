"""The semantic diff: one table row per kind of change, with the exact message and flag."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from provision.cli.review.model import Flag
from provision.cli.review.semantic import diff_plans

W, R = Flag.WEAKENING, Flag.RESIDENCY


def fn(name: str) -> Callable[[dict], dict]:
    return lambda doc: doc["spec"]["functions"][name]


def setter(get: Callable[[dict], dict], key: str, value: Any) -> Callable[[dict], None]:
    def edit(doc: dict) -> None:
        get(doc)[key] = value

    return edit


def deleter(get: Callable[[dict], dict], key: str) -> Callable[[dict], None]:
    return lambda doc: get(doc).pop(key)


def both(*edits: Callable[[dict], None]) -> Callable[[dict], None]:
    def edit(doc: dict) -> None:
        for one in edits:
            one(doc)

    return edit


backup = lambda doc: doc["spec"]["functions"]["backups"]["backup"]  # noqa: E731
soc_settings = lambda doc: doc["spec"]["functions"]["soc"]["securityMonitoring"]  # noqa: E731
provider = lambda name: lambda doc: doc["spec"]["providers"][name]  # noqa: E731
spec = lambda doc: doc["spec"]  # noqa: E731

CASES = [
    ("provider moved", setter(fn("backups"), "provider", "nightwatch"),
     [("providers", "backups: aws → nightwatch", None)]),
    ("availability lowered", setter(lambda d: d["spec"]["functions"]["web"]["sla"], "availability", 99.5),
     [("service-levels", "web: sla.availability: 99.9 → 99.5 (weaker: lower availability)", W)]),
    ("availability raised", setter(lambda d: d["spec"]["functions"]["web"]["sla"], "availability", 99.95),
     [("service-levels", "web: sla.availability: 99.9 → 99.95", None)]),
    ("availability removed", deleter(fn("web"), "sla"),
     [("service-levels", "web: sla.availability: 99.9 → (unset) (weaker: lower availability)", W)]),
    ("response slower", setter(lambda d: d["spec"]["functions"]["ops"]["sla"], "responseMinutes", 60),
     [("service-levels", "ops: sla.responseMinutes: 15 → 60 (weaker: slower response)", W)]),
    ("rpo longer", setter(backup, "rpoHours", 48),
     [("service-levels", "backups: backup.rpoHours: 24 → 48 (weaker: more data lost on restore)", W)]),
    ("rpo shorter", setter(backup, "rpoHours", 12), [("service-levels", "backups: backup.rpoHours: 24 → 12", None)]),
    ("retention shorter", setter(backup, "retentionDays", 14),
     [("service-levels", "backups: backup.retentionDays: 35 → 14 (weaker: backups kept for less time)", W)]),
    ("immutable off", setter(backup, "immutable", False),
     [("service-levels", "backups: backup.immutable: true → false (weaker: backups can be deleted or altered)", W)]),
    ("immutable left out means false", deleter(backup, "immutable"),
     [("service-levels", "backups: backup.immutable: true → false (weaker: backups can be deleted or altered)", W)]),
    ("copy region removed", deleter(backup, "copyToRegion"),
     [("service-levels",
       "backups: backup.copyToRegion: eu-central-1 → (unset) (weaker: no copy outside the primary region)", W)]),
    ("protects fewer", setter(backup, "protects", ["web"]),
     [("service-levels", "backups: backup.protects: removed payroll-exchange (weaker: functions no longer backed up)",
       W)]),
    ("protects reordered", setter(backup, "protects", ["payroll-exchange", "web"]),
     [("service-levels", "backups: backup.protects: reordered to [payroll-exchange, web]", None)]),
    ("tier lowered", setter(fn("soc"), "tier", "important"),
     [("service-levels", "soc: tier: critical → important (weaker: tier lowered)", W)]),
    ("tier raised", setter(fn("network"), "tier", "critical"),
     [("service-levels", "network: tier: important → critical", None)]),
    ("classification lowered", setter(fn("web"), "data", "internal"),
     [("data", "web: data: pii → internal (weaker: classification lowered: fewer controls apply)", W)]),
    ("services removed", setter(soc_settings, "services", ["guardduty", "cloudtrail"]),
     [("service-levels",
       "soc: securityMonitoring.services: removed securityhub, config (weaker: less security coverage)", W)]),
    ("alerts raised", setter(lambda d: soc_settings(d)["alerts"], "minSeverity", "high"),
     [("service-levels", "soc: securityMonitoring.alerts.minSeverity: medium → high (weaker: fewer alerts raised)",
       W)]),
    ("trail default spelled out", deleter(soc_settings, "trailRetentionDays"), []),
    ("plain setting", setter(lambda d: d["spec"]["functions"]["network"]["network"], "cidr", "10.30.0.0/16"),
     [("settings", "network: network.cidr: 10.20.0.0/16 → 10.30.0.0/16", None)]),
    ("support reduced", setter(provider("nightwatch"), "support", "business-hours"),
     [("providers", "provider nightwatch support: 24x7 → business-hours (weaker: vendor support hours reduced)", W)]),
    ("compliance dropped", setter(spec, "compliance", []),
     [("plan", "compliance: removed gdpr (weaker: compliance regime dropped)", W)]),
    ("compliance added", setter(spec, "compliance", ["gdpr", "soc2"]), [("plan", "compliance: added soc2", None)]),
    ("backup copy leaves residency", setter(backup, "copyToRegion", "us-east-1"), [
        ("data", "backups: pii data leaves eu residency: backup copy in us-east-1", R),
        ("service-levels", "backups: backup.copyToRegion: eu-central-1 → us-east-1", None),
    ]),
    ("vendor country leaves residency", setter(provider("payflow"), "country", "US"), [
        ("data", "provider payflow country: DE → US", None),
        ("data", "payroll-exchange: pii data leaves eu residency: vendor payflow in US", R),
    ]),
    ("internal data at a vendor abroad", setter(provider("opsbridge"), "country", "US"), [
        ("data", "provider opsbridge country: NL → US", None),
        ("data", "ops: internal data leaves eu residency: vendor opsbridge in US", R),
    ]),
    ("public data has no residency", both(setter(provider("opsbridge"), "country", "US"),
                                          setter(fn("ops"), "data", "public")), [
        ("data", "provider opsbridge country: NL → US", None),
        ("data", "ops: data: internal → public (weaker: classification lowered: fewer controls apply)", W),
    ]),
    ("residency changed", setter(spec, "dataResidency", "global"),
     [("data", "dataResidency: eu → global (data may move to another jurisdiction)", R)]),
    # Global services' regions: visible when the plan starts or stops using them.
    ("hosting no longer watched", setter(lambda d: d["spec"]["functions"]["ops"]["monitoring"], "watches",
                                         ["payroll-exchange"]), [
        ("data", "no longer uses region us-east-1: CloudFront alarms of 'ops' and their on-call topic and key "
                 "(metadata only)", None),
        ("service-levels", "ops: monitoring.watches: removed web (weaker: functions no longer watched)", W),
    ]),
    ("budgets dropped", both(deleter(spec, "budget"), deleter(fn("web"), "budget")), [
        ("data", "no longer uses region us-east-1: AWS Budgets (metadata only)", None),
    ]),
    ("function removed", lambda d: d["spec"]["functions"].pop("network"),
     [("functions", "function removed: network (network on aws, important, internal data)", None)]),
    ("function type changed",
     lambda d: d["spec"]["functions"].update(network={"type": "hosting", "provider": "aws",
                                                        "hosting": {"kind": "static-site"}}),
     [("functions", "network: type network → hosting (a different function under the same name)", None)]),
]


@pytest.mark.parametrize("edit, expected", [pytest.param(e, x, id=i) for i, e, x in CASES])
def test_change(edited, edit, expected) -> None:
    base, head = edited(edit)
    assert [(c.area, c.message, c.flag) for c in diff_plans(base, head)] == expected


def test_identical_plans_have_no_changes(edited) -> None:
    base, head = edited(lambda doc: None)
    assert diff_plans(base, head) == []


def test_function_added_is_described_and_its_data_location_checked(edited) -> None:
    def add(doc: dict) -> None:
        doc["spec"]["providers"]["usdocs"] = {
            "type": "bpo", "accountId": "999999999999", "externalIdRef": "env:USDOCS", "country": "US"}
        doc["spec"]["functions"]["scans"] = {
            "type": "data-exchange", "provider": "usdocs", "data": "regulated", "dataExchange": {"retentionDays": 30}}

    base, head = edited(add)
    assert [(c.area, c.function, c.message, c.flag) for c in diff_plans(base, head)] == [
        ("functions", "scans", "function added: scans (data-exchange on usdocs, standard, regulated data)", None),
        ("providers", None, "provider added: usdocs (bpo, US)", None),
        ("data", "scans", "scans: regulated data leaves eu residency: vendor usdocs in US", R),
    ]


def test_changes_carry_plain_json_values(edited) -> None:
    base, head = edited(setter(provider("payflow"), "contractEnds", "2029-01-31"))
    [change] = diff_plans(base, head)
    assert (change.field, change.before, change.after) == ("providers.payflow.contractEnds", "2027-12-31", "2029-01-31")
