"""The vendor-scope oracle itself: it flags what reaches beyond a vendor's functions, and only that."""

from __future__ import annotations

from tests.generated.inventory import Item
from tests.generated.vendor_scope import problems, reach

ACCOUNT = "123456789012"
PLAN = {
    "spec": {
        "providers": {"aws": {"type": "cloud"}, "alpha": {"type": "bpo"}, "beta": {"type": "bpo"}, "ops": {"type": "msp"}},
        "functions": {
            "drop": {"type": "data-exchange", "provider": "aws", "dataExchange": {"retentionDays": 30, "partners": ["alpha", "beta"]}},
            "web": {"type": "hosting", "provider": "aws", "hosting": {"kind": "static-site"}},
            "net": {"type": "network", "provider": "aws", "network": {"cidr": "10.0.0.0/16"}},
            "watch": {"type": "monitoring", "provider": "ops", "monitoring": {"watches": ["web"], "notify": ["a@b.example"]}},
        },
    }
}
INVENTORY = [
    Item("s3:bucket", "p-drop", "us-east-1", "arn:aws:s3:::p-drop", {"provision:function": "drop"}),
    Item("kms:key", "k1", "us-east-1", f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k1", {"provision:function": "drop"}),
    Item("s3:bucket", "p-web", "us-east-1", "arn:aws:s3:::p-web", {"provision:function": "web"}),
    Item("logs:log-group", "/p/net", "us-east-1", f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/p/net", {"provision:function": "net"}),
    Item("cloudwatch:alarm", "p-a", "us-east-1", f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:p-a", {"provision:function": "watch"}),
]


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(resource, condition=None):
    stmt = {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": resource}
    if condition:
        stmt["Condition"] = condition
    return stmt


OWN_ALPHA = allow(["arn:aws:s3:::p-drop/partners/alpha/*", f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k1"])


def test_reach_is_operated_plus_watched() -> None:
    assert (reach(PLAN, "alpha"), reach(PLAN, "ops"), reach(PLAN, "aws")) == ({"drop"}, {"watch", "web"}, {"drop", "web", "net"})


def test_own_prefix_and_key_pass() -> None:
    assert problems(PLAN, "alpha", {"operate-drop": doc(OWN_ALPHA, allow("*"))}, INVENTORY) == []


def test_another_partners_prefix_is_flagged_and_own_missing_too() -> None:
    found = problems(PLAN, "alpha", {"operate-drop": doc(allow("arn:aws:s3:::p-drop/partners/beta/*"))}, INVENTORY)
    assert len(found) == 2
    assert "outside alpha's prefix" in found[0] and "no inline policy lets partner alpha reach" in found[1]


def test_whole_bucket_objects_are_flagged_for_a_partner() -> None:
    found = problems(PLAN, "alpha", {"operate-drop": doc(OWN_ALPHA, allow("arn:aws:s3:::p-drop/*"))}, INVENTORY)
    assert found == ["operate-drop/?: arn:aws:s3:::p-drop/* is outside alpha's prefix partners/alpha/"]


def test_other_functions_and_unknown_resources_are_flagged() -> None:
    docs = {"boundary": doc(allow([f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/p/net:*", "arn:aws:s3:::elsewhere"]))}
    found = problems(PLAN, "ops", docs, INVENTORY)
    assert [f.split(": ", 1)[1].split(" ", 2)[1] for f in found] == ["belongs", "is"]
    assert "belongs to net" in found[0] and "arn:aws:s3:::elsewhere is no live resource" in found[1]


def test_watched_resources_and_tag_conditions() -> None:
    ok = allow(["arn:aws:s3:::p-web", f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:p-a"])
    assert problems(PLAN, "ops", {"operate-watch": doc(ok)}, INVENTORY) == []
    tagged = allow(f"arn:aws:ec2:us-east-1:{ACCOUNT}:*", {"StringEquals": {"aws:ResourceTag/provision:function": ["net"]}})
    assert problems(PLAN, "ops", {"operate-watch": doc(tagged)}, INVENTORY) == [
        "operate-watch/?: tag condition names function net, not ops's"
    ]
    # A service-wide ARN for a vendor that runs no monitoring (and no backup) is flagged.
    assert len(problems(PLAN, "alpha", {"p": doc(OWN_ALPHA, allow(f"arn:aws:ec2:us-east-1:{ACCOUNT}:*"))}, INVENTORY)) == 1


def test_a_service_wide_runbook_grant_needs_a_tag_condition_and_may_be_global() -> None:
    watched_only = {"StringEquals": {"aws:ResourceTag/provision:function": ["web"]}}
    global_service = allow(f"arn:aws:cloudfront::{ACCOUNT}:*", watched_only)  # CloudFront ARNs carry no region
    assert problems(PLAN, "ops", {"operate-watch": doc(global_service)}, INVENTORY) == []
    untagged = allow(f"arn:aws:ec2:us-east-1:{ACCOUNT}:*")
    assert problems(PLAN, "ops", {"operate-watch": doc(untagged)}, INVENTORY) == [
        f"operate-watch/?: arn:aws:ec2:us-east-1:{ACCOUNT}:* is service-wide with no provision:function tag condition"
    ]
    # The permissions boundary caps the role; the inline policies carry the conditions.
    assert problems(PLAN, "ops", {"boundary": doc(untagged)}, INVENTORY) == []
