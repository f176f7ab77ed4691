"""Every replace path of every provider, and set-like settings, through the shared diff.

The expectations are literal: which settings replace each kind, and whether a
replacement must delete the old resource first because the new one would
claim an identity AWS keeps unique (a name, a CIDR block in its VPC).
"""

from __future__ import annotations

import pytest

from provision.stacks.providers.kinds import provider_classes

# kind -> {replacing setting: delete before replace?}
REPLACEMENTS: dict[str, dict[str, bool]] = {
    "BackupPlan": {"region": False},
    "BackupSelection": {
        "plan_id": False,
        "selection_name": False,
        "iam_role_arn": True,
        "resources": True,
        "match_all_tags": True,
        "match_any_tags": True,
        "region": True,
    },
    "BackupVault": {"vault_name": False, "kms_key_arn": True, "region": False},
    "Budget": {"budget_name": False, "account_id": False, "budget_type": True},
    "CloudTrailTrail": {"name": False},
    "CloudWatchAlarm": {"alarm_name": False, "region": False},
    "CloudWatchDashboard": {"dashboard_name": False},
    "ConfigRecorder": {"name": True},
    "EventBridgeRule": {"name": False, "event_bus_name": False},
    "FlowLog": {
        "vpc_id": False,
        "traffic_type": False,
        "log_group_name": False,
        "deliver_logs_permission_arn": True,
        "max_aggregation_interval": True,
    },
    "IamRole": {"role_name": False},
    "KmsKey": {"region": False},  # a new alias moves to the same key (test_kms_key)
    "LogGroup": {"log_group_name": False},
    "NatGateway": {"subnet_id": False},
    "RouteTable": {"vpc_id": False},
    "S3Bucket": {"bucket_name": False, "region": True},
    "SnsTopic": {"name": False, "region": False},
    "Subnet": {"vpc_id": False, "cidr_block": True, "availability_zone": True},
    "TransferServer": {"identity_provider_type": False, "endpoint_type": False},
    "TransferUser": {"server_id": False, "user_name": False},
    "Vpc": {"cidr_block": False},
}

# kind -> settings whose order means nothing
SET_LIKE: dict[str, set[str]] = {
    "BackupSelection": {"resources"},
    "BackupVault": {"notification_events"},
    "Budget": {"notifications"},
    "CloudWatchAlarm": {"alarm_actions", "ok_actions"},
    "IamRole": {"managed_policy_arns"},
    "RouteTable": {"subnet_ids", "routes"},
    "SecurityHubAccount": {"standards"},
    "SnsTopic": {"publisher_services", "email_subscriptions"},
    "TransferServer": {"protocols"},
    "TransferUser": {"ssh_public_keys"},
}

KINDS = provider_classes()


def test_every_provider_is_listed() -> None:
    assert set(KINDS) == {
        *REPLACEMENTS,
        "CloudFrontDistribution",
        "GuardDutyDetector",
        "InternetGateway",
        "SecurityHubAccount",
    }
    for kind, cls in KINDS.items():
        assert set(cls.REPLACE_ON) == set(REPLACEMENTS.get(kind, {})), kind
        assert set(cls.SET_LIKE) == SET_LIKE.get(kind, set()), kind


def _props(**values):
    # One setting of each shape the diff sees, the same on both sides unless overridden.
    return {"tags": {"team": "platform"}, "description": "same", **values}


@pytest.mark.parametrize(
    ("kind", "key", "delete_first"),
    [(kind, key, first) for kind, keys in sorted(REPLACEMENTS.items()) for key, first in sorted(keys.items())],
)
def test_each_replacing_setting_replaces_and_says_which_goes_first(kind, key, delete_first) -> None:
    provider = KINDS[kind]()
    olds = _props(**{key: "old-value"}, arn="arn:aws:mock")

    diff = provider.diff("id", olds, _props(**{key: "new-value"}))

    assert diff.changes is True
    assert diff.replaces == [key]
    assert diff.delete_before_replace is delete_first
    assert diff.stables == []


def test_a_subnet_replaced_in_its_vpc_goes_first_one_moved_to_another_vpc_does_not() -> None:
    """A new block may overlap the old one (10.0.0.0/19 -> 10.0.0.0/18): within a VPC the old subnet goes first."""
    provider = KINDS["Subnet"]()
    olds = {"vpc_id": "vpc-1", "cidr_block": "10.0.0.0/19", "availability_zone": "eu-west-1a", "subnet_id": "s"}

    wider = provider.diff("s", olds, {**olds, "cidr_block": "10.0.0.0/18", "availability_zone": "eu-west-1b"})
    elsewhere = provider.diff("s", olds, {**olds, "vpc_id": "vpc-2", "cidr_block": "10.0.0.0/18"})

    assert (wider.replaces, wider.delete_before_replace) == (["availability_zone", "cidr_block"], True)
    assert (elsewhere.replaces, elsewhere.delete_before_replace) == (["cidr_block", "vpc_id"], False)


def test_an_in_place_change_keeps_the_outputs_stable() -> None:
    provider = KINDS["Subnet"]()
    olds = {"vpc_id": "vpc-1", "cidr_block": "10.0.0.0/19", "map_public_ip_on_launch": False, "subnet_id": "s", "arn": "a"}

    diff = provider.diff("s", olds, {**olds, "map_public_ip_on_launch": True})

    assert (diff.changes, diff.replaces, diff.delete_before_replace) == (True, [], False)
    assert diff.stables == ["arn", "subnet_id"]


@pytest.mark.parametrize(
    ("kind", "key"), [(kind, key) for kind, keys in sorted(SET_LIKE.items()) for key in sorted(keys)]
)
def test_set_like_settings_compare_without_order(kind, key) -> None:
    provider = KINDS[kind]()
    first, second = {"Id": "b", "Arn": "arn:b"}, {"Id": "a", "Arn": "arn:a"}
    for values in (["subnet-b", "subnet-a"], [first, second]):
        olds = _props(**{key: values})

        assert provider.diff("id", olds, _props(**{key: list(reversed(values))})).changes is False
        changed = provider.diff("id", olds, _props(**{key: values[:1]}))
        assert changed.changes is True
        assert changed.replaces == ([key] if key in provider.REPLACE_ON else [])


def test_set_like_settings_are_stored_in_one_order() -> None:
    provider = KINDS["RouteTable"]()

    outs = provider.outputs({"vpc_id": "vpc-1", "subnet_ids": ["subnet-b", "subnet-a"], "routes": []}, route_table_id="rtb")

    assert outs == {"vpc_id": "vpc-1", "subnet_ids": ["subnet-a", "subnet-b"], "routes": [], "route_table_id": "rtb"}


def test_ordered_lists_still_compare_in_order() -> None:
    """Not every list is a set: a transfer user's home directory mappings are matched in order."""
    provider = KINDS["TransferUser"]()
    mappings = [{"entry": "/", "target": "/b/x"}, {"entry": "/in", "target": "/b/y"}]
    olds = _props(home_directory_mappings=mappings)

    assert provider.diff("id", olds, _props(home_directory_mappings=mappings[::-1])).changes is True
