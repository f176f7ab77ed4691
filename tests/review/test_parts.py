"""The parts of a review besides the semantic diff: vendors, findings, waivers, cost, resource ops."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from provision.cli.review.concentration import concentration
from provision.cli.review.costs import cost_review
from provision.cli.review.findings import compare_findings
from provision.cli.review.model import FindingStatus
from provision.cli.review.resources import FunctionResources, ResourceChange, from_engine
from provision.cli.review.waivers import waiver_notes
from provision.schemas.findings import Finding, Level
from provision.schemas.model import Plan, build_plan

TODAY = dt.date(2026, 9, 10)


def finding(rule: str, path: tuple, message: str, line: int = 1, level: Level = Level.MANDATORY) -> Finding:
    return Finding("plan.yaml", line, 1, rule, level, message, "fix it", path)


def test_concentration_counts_critical_functions_per_external_vendor(edited) -> None:
    base, head = edited(lambda d: d["spec"]["functions"]["backups"].update(provider="nightwatch"))
    loads = {load.vendor: load for load in concentration(base, head)}
    assert list(loads) == ["nightwatch", "opsbridge", "payflow"]
    nightwatch = loads["nightwatch"]
    assert (nightwatch.before, nightwatch.after, nightwatch.trend) == (("soc",), ("backups", "soc"), "up")
    assert (round(nightwatch.share_before, 3), round(nightwatch.share_after, 3)) == (0.333, 0.667)
    assert loads["opsbridge"].after == () and loads["opsbridge"].trend == "same"


def test_concentration_lists_vendors_of_either_plan(edited) -> None:
    def move(doc: dict) -> None:
        doc["spec"]["providers"]["sentinel"] = doc["spec"]["providers"].pop("nightwatch")
        doc["spec"]["functions"]["soc"]["provider"] = "sentinel"

    base, head = edited(move)
    loads = {load.vendor: (load.before, load.after, load.trend) for load in concentration(base, head)}
    assert loads["sentinel"] == ((), ("soc",), "up")
    assert loads["nightwatch"] == (("soc",), (), "down")


def test_findings_match_on_rule_path_and_message_not_line() -> None:
    web = ("spec", "functions", "web")
    base = [finding("PRV-A", web, "kept", line=10), finding("PRV-B", web, "fixed", line=12)]
    head = [finding("PRV-A", web, "kept", line=30), finding("PRV-C", web, "new", line=5),
            finding("PRV-B", web, "fixed but reworded", line=12)]
    result = [(c.status, c.finding.rule, c.finding.line) for c in compare_findings(base, head)]
    assert result == [
        (FindingStatus.NEW, "PRV-C", 5),
        (FindingStatus.NEW, "PRV-B", 12),
        (FindingStatus.OPEN, "PRV-A", 30),
        (FindingStatus.FIXED, "PRV-B", 12),
    ]


def test_without_a_base_every_finding_is_open() -> None:
    changes = compare_findings(None, [finding("PRV-A", (), "m", level=Level.ADVISORY)])
    assert [(c.status, c.failing) for c in changes] == [(FindingStatus.OPEN, False)]


@pytest.mark.parametrize("base_waivers, head_waivers, expected", [
    ([], [("PRV-A", "web", "2027-01-31")], [("PRV-A", "added", 143, False, False)]),
    ([("PRV-A", "web", "2027-01-31")], [("PRV-A", "web", "2027-01-31")], []),
    ([("PRV-A", "web", "2026-09-30")], [("PRV-A", "web", "2026-09-30")], [("PRV-A", None, 20, True, False)]),
    ([("PRV-A", "web", "2026-09-30")], [("PRV-A", "web", "2026-12-31")], [("PRV-A", "renewed", 112, False, False)]),
    ([("PRV-A", "web", "2026-09-01")], [("PRV-A", "web", "2026-09-01")], [("PRV-A", None, -9, False, True)]),
    ([("PRV-A", "web", "2026-09-01")], [], [("PRV-A", "removed", -9, False, False)]),
    ([("PRV-A", "web", "2027-01-31")], [("PRV-A", None, "2027-01-31")],
     [("PRV-A", "added", 143, False, False), ("PRV-A", "removed", 143, False, False)]),
], ids=["added", "unchanged", "expiring", "renewed", "expired", "removed", "scope changed"])
def test_waiver_notes(base_doc, base_waivers, head_waivers, expected) -> None:
    def plan_with(items: list) -> Plan:
        base_doc["spec"]["waivers"] = [
            {"policy": p, **({"function": f} if f else {}), "reason": "r", "expires": e,
             "approvedBy": "ciso@brightdesk.example"}
            for p, f, e in items
        ]
        return build_plan(base_doc)

    notes = waiver_notes(plan_with(base_waivers), plan_with(head_waivers), TODAY)
    assert [(n.waiver.policy, n.change, n.days_left, n.expiring, n.expired) for n in notes] == expected


def test_cost_compares_functions_and_checks_budgets(edited) -> None:
    def edit(doc: dict) -> None:
        network = doc["spec"]["functions"]["network"]
        network["network"]["nat"] = True
        network["tier"] = "critical"  # one NAT gateway per AZ
        network["budget"] = {"monthlyUSD": 60}
        doc["spec"]["budget"]["monthlyUSD"] = 250
        del doc["spec"]["functions"]["ops"]

    base, head = edited(edit)
    cost = cost_review(base, head)
    by_name = {c.function: c for c in cost.functions}
    assert list(by_name) == ["web", "backups", "soc", "network", "payroll-exchange", "ops"]
    assert by_name["ops"].after is None and by_name["ops"].delta == -by_name["ops"].before
    assert by_name["network"].budget == 60 and by_name["network"].over_budget
    assert cost.over_budget and cost.budget == 250 and cost.budget_before == 2500
    assert cost.price_table == "aws-prices.v1"
    assert round(cost.delta, 2) == round(cost.total_after - cost.total_before, 2) != 0
    assert cost.functions_over_budget == [by_name["network"]]


def test_cost_of_a_new_plan_has_no_before(edited) -> None:
    _, head = edited(lambda d: None)
    cost = cost_review(None, head)
    assert cost.total_before is None and cost.plan_level_before is None and not cost.over_budget
    assert all(c.before is None for c in cost.functions)


def test_engine_changes_group_by_function_with_their_reasons() -> None:
    @dataclass(frozen=True)
    class Engine:
        name: str
        function: str | None
        op: str
        kind: str
        replace_keys: tuple[str, ...] = ()
        changed_keys: tuple[str, ...] = ()

    groups = from_engine([
        Engine("network-vpc", "network", "replace", "Vpc", ("cidr_block",), ("cidr_block", "tags")),
        Engine("vendor-role-x", None, "create", "IamRole"),
        Engine("network-igw", "network", "update", "InternetGateway", (), ("tags",)),
        Engine("network-routes", "network", "read", "RouteTable"),
    ])
    assert groups == [
        FunctionResources("network", (
            ResourceChange("network-vpc", "Vpc", "replace", ("cidr_block",)),
            ResourceChange("network-igw", "InternetGateway", "update", ("tags",)),
            ResourceChange("network-routes", "RouteTable", "same"),
        )),
        FunctionResources(None, (ResourceChange("vendor-role-x", "IamRole", "create"),)),
    ]


def test_unknown_ops_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown resource op 'recreate'; expected one of create, update, replace"):
        ResourceChange("x", "s3_bucket", "recreate")


def test_function_resources_count_ops() -> None:
    group = FunctionResources("web", (ResourceChange("a", "s3_bucket", "replace", ("bucket_name",)),
                                      ResourceChange("b", "kms_key", "same")))
    assert (group.count("replace"), group.count("same"), group.changed, group.label) == (1, 1, True, "web")
    assert FunctionResources(None, ()).label == "(plan)"
