"""CloudWatchDashboardProvider against moto: body round trip, update, errors."""

from __future__ import annotations

import json

import pytest

from provision.stacks.providers.base import ProviderError
from provision.stacks.providers.cloudwatch_dashboard import CloudWatchDashboardProvider

NAME = "acme-prod-ops"
BODY = json.dumps({"widgets": [{"type": "text", "x": 0, "y": 0, "width": 6, "height": 3, "properties": {"markdown": "hi"}}]})


def test_create_then_read(aws, account_id) -> None:
    provider = CloudWatchDashboardProvider()

    created = provider.create({"dashboard_name": NAME, "dashboard_body": BODY})

    assert created.id == NAME
    assert created.outs["arn"] == f"arn:aws:cloudwatch::{account_id}:dashboard/{NAME}"
    assert provider.read(NAME, created.outs).outs == created.outs


def test_diff_name_replaces_body_updates() -> None:
    provider = CloudWatchDashboardProvider()
    old = {"dashboard_name": NAME, "dashboard_body": BODY, "arn": "arn:x"}

    assert provider.diff(NAME, old, {"dashboard_name": "b", "dashboard_body": BODY}).replaces == ["dashboard_name"]
    changed = provider.diff(NAME, old, {"dashboard_name": NAME, "dashboard_body": '{"widgets": []}'})
    assert changed.changes and changed.replaces == []


def test_update_replaces_the_body(aws) -> None:
    provider = CloudWatchDashboardProvider()
    created = provider.create({"dashboard_name": NAME, "dashboard_body": BODY})

    provider.update(NAME, created.outs, {"dashboard_name": NAME, "dashboard_body": '{"widgets": []}'})

    assert json.loads(provider.read(NAME, created.outs).outs["dashboard_body"]) == {"widgets": []}


def test_delete_then_read_is_none_and_delete_again_is_fine(aws) -> None:
    provider = CloudWatchDashboardProvider()
    created = provider.create({"dashboard_name": NAME, "dashboard_body": BODY})

    provider.delete(NAME, created.outs)

    assert provider.read(NAME, created.outs) is None
    provider.delete(NAME, created.outs)


def test_invalid_body_names_the_aws_error(aws) -> None:
    with pytest.raises(ProviderError, match=rf"^Dashboard {NAME}: PutDashboard: InvalidParameterInput: Body is invalid JSON$"):
        CloudWatchDashboardProvider().create({"dashboard_name": NAME, "dashboard_body": "{not json"})
