"""LogGroupProvider against moto (with the logs gap fill): retention, KMS key, tags, errors."""

from __future__ import annotations

import boto3
import pytest

from provision.stacks.providers.base import ProviderError
from provision.stacks.providers.log_group import LogGroup, LogGroupProvider

NAME = "/provision/acme/flow-logs"


@pytest.fixture
def kms(aws, region):
    return boto3.client("kms", region_name=region)


@pytest.fixture
def new_key(kms, logs_key_policy):
    """`new_key()`: a new key CloudWatch Logs may use, its policy as AWS documents for log groups."""
    return lambda: kms.create_key(Policy=logs_key_policy)["KeyMetadata"]["Arn"]


def _props(**overrides):
    props = {"log_group_name": NAME, "retention_in_days": 90, "kms_key_arn": None, "tags": {"provision:plan": "acme"}}
    return {**props, **overrides}


def test_create_with_key_retention_and_tags(new_key, region, account_id) -> None:
    provider = LogGroupProvider()
    key = new_key()

    created = provider.create(_props(kms_key_arn=key))

    assert created.id == NAME
    assert created.outs["arn"] == f"arn:aws:logs:{region}:{account_id}:log-group:{NAME}"
    outs = provider.read(created.id, created.outs).outs
    assert outs == {**_props(kms_key_arn=key), "arn": created.outs["arn"]}


def test_diff_name_replaces_others_update() -> None:
    provider = LogGroupProvider()
    old = {**_props(), "arn": "arn:x"}

    assert provider.diff(NAME, old, _props(log_group_name="/other")).replaces == ["log_group_name"]
    changed = provider.diff(NAME, old, _props(retention_in_days=365, kms_key_arn="arn:k", tags={}))
    assert changed.changes and changed.replaces == []


def test_update_associates_a_new_key_then_removes_it(new_key) -> None:
    provider = LogGroupProvider()
    first, second = new_key(), new_key()
    created = provider.create(_props(kms_key_arn=first))

    provider.update(NAME, created.outs, _props(kms_key_arn=second, retention_in_days=365, tags={"team": "net"}))
    outs = provider.read(NAME, created.outs).outs
    assert (outs["kms_key_arn"], outs["retention_in_days"], outs["tags"]) == (second, 365, {"team": "net"})

    provider.update(NAME, {**created.outs, **outs}, _props(kms_key_arn=None, retention_in_days=None))
    outs = provider.read(NAME, created.outs).outs
    assert (outs["kms_key_arn"], outs["retention_in_days"]) == (None, None)


def test_delete_then_read_is_none_and_delete_again_is_fine(aws) -> None:
    provider = LogGroupProvider()
    created = provider.create(_props())

    provider.delete(NAME, created.outs)

    assert provider.read(NAME, created.outs) is None
    provider.delete(NAME, created.outs)


def test_an_unknown_key_names_the_aws_error(kms, region, account_id) -> None:
    provider = LogGroupProvider()
    created = provider.create(_props())
    bad = f"arn:aws:kms:{region}:{account_id}:key/00000000-0000-0000-0000-000000000000"

    with pytest.raises(ProviderError, match=rf"^Log group {NAME}: AssociateKmsKey: InvalidParameterException: "):
        provider.update(NAME, created.outs, _props(kms_key_arn=bad))


def test_a_retention_cloudwatch_refuses_is_rejected_before_any_call() -> None:
    with pytest.raises(ValueError, match=r"^retention_in_days 13 is not one CloudWatch Logs accepts: \[1, 3, 5, "):
        LogGroup("flow", log_group_name=NAME, retention_in_days=13)
