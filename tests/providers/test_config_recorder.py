"""ConfigRecorderProvider against moto: recorder + delivery channel lifecycle, drift, errors."""

from __future__ import annotations

import boto3
import pytest

from provision.stacks.providers.config_recorder import ConfigRecorderProvider

BUCKET = "acme-config"


@pytest.fixture
def config(aws, region, service_role):
    # The recorders' roles, which Config assumes to deliver to the bucket.
    service_role("acme-config", "config.amazonaws.com")
    service_role("lz-config", "config.amazonaws.com")
    boto3.client("s3").create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": region})
    return boto3.client("config")


def _props(account_id: str, **overrides):
    props = {
        "name": "acme-config",
        "role_arn": f"arn:aws:iam::{account_id}:role/acme-config",
        "all_supported": True,
        "s3_bucket_name": BUCKET,
        "s3_key_prefix": "config",
        "s3_kms_key_arn": None,
        "include_global_resource_types": True,
        "delivery_frequency": "TwentyFour_Hours",
        "recording": True,
        "tags": {"provision:plan": "acme"},
    }
    return {**props, **overrides}


def test_create_records_everything_and_delivers_to_the_bucket(config, account_id) -> None:
    result = ConfigRecorderProvider().create(_props(account_id))

    assert result.id == "acme-config"
    (recorder,) = config.describe_configuration_recorders()["ConfigurationRecorders"]
    assert recorder["roleARN"] == f"arn:aws:iam::{account_id}:role/acme-config"
    assert (recorder["recordingGroup"]["allSupported"], recorder["recordingGroup"]["includeGlobalResourceTypes"]) == (
        True,
        True,
    )
    (channel,) = config.describe_delivery_channels()["DeliveryChannels"]
    assert (channel["name"], channel["s3BucketName"], channel["s3KeyPrefix"]) == ("acme-config", BUCKET, "config")
    assert channel["configSnapshotDeliveryProperties"] == {"deliveryFrequency": "TwentyFour_Hours"}
    (status,) = config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
    assert status["recording"] is True


def test_read_reflects_a_stopped_recorder_and_narrowed_recording(config, account_id) -> None:
    created = ConfigRecorderProvider().create(_props(account_id))
    config.stop_configuration_recorder(ConfigurationRecorderName="acme-config")
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "acme-config",
            "roleARN": f"arn:aws:iam::{account_id}:role/acme-config",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": False},
        }
    )

    outs = ConfigRecorderProvider().read(created.id, created.outs).outs

    assert (outs["recording"], outs["include_global_resource_types"], outs["all_supported"]) == (False, False, True)
    assert (outs["s3_bucket_name"], outs["s3_key_prefix"]) == (BUCKET, "config")


def test_diff_name_replaces_settings_update(account_id) -> None:
    provider = ConfigRecorderProvider()
    old = {**_props(account_id), "recorder_arn": None}

    renamed = provider.diff("acme-config", old, _props(account_id, name="other"))
    assert (renamed.replaces, renamed.delete_before_replace) == (["name"], True)
    changed = provider.diff("acme-config", old, _props(account_id, recording=False, delivery_frequency="One_Hour"))
    assert changed.changes and changed.replaces == []
    assert not provider.diff("acme-config", old, _props(account_id)).changes


def test_update_changes_channel_and_restarts_recording(config, account_id) -> None:
    provider = ConfigRecorderProvider()
    created = provider.create(_props(account_id, recording=False))

    provider.update(created.id, created.outs, _props(account_id, s3_key_prefix=None, delivery_frequency="Six_Hours"))

    outs = provider.read(created.id, created.outs).outs
    assert (outs["recording"], outs["s3_key_prefix"], outs["delivery_frequency"]) == (True, None, "Six_Hours")


def test_delete_stops_and_removes_both_and_is_idempotent(config, account_id) -> None:
    provider = ConfigRecorderProvider()
    created = provider.create(_props(account_id))

    provider.delete(created.id, created.outs)

    assert config.describe_configuration_recorders()["ConfigurationRecorders"] == []
    assert config.describe_delivery_channels()["DeliveryChannels"] == []
    assert provider.read(created.id, created.outs) is None
    provider.delete(created.id, created.outs)


def _landing_zone_recorder(config, account_id: str, *, channel: bool) -> None:
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "lz-recorder",
            "roleARN": f"arn:aws:iam::{account_id}:role/lz-config",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": False},
        }
    )
    if channel:
        config.put_delivery_channel(DeliveryChannel={"name": "lz-channel", "s3BucketName": BUCKET, "s3KeyPrefix": "lz"})
        config.start_configuration_recorder(ConfigurationRecorderName="lz-recorder")


def _snapshot(config) -> tuple:
    return (
        config.describe_configuration_recorders()["ConfigurationRecorders"],
        config.describe_delivery_channels()["DeliveryChannels"],
        [s["recording"] for s in config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]],
    )


def test_a_landing_zone_recorder_is_adopted_untouched_and_survives_destroy(config, account_id) -> None:
    _landing_zone_recorder(config, account_id, channel=True)
    before = _snapshot(config)
    provider = ConfigRecorderProvider()

    created = provider.create(_props(account_id))

    assert (created.id, created.outs["adopted"], created.outs["channel_added"]) == ("lz-recorder", True, False)
    assert _snapshot(config) == before
    assert provider.read(created.id, created.outs).outs == created.outs
    provider.delete(created.id, created.outs)
    assert _snapshot(config) == before


def test_an_adopted_recorder_without_a_channel_gets_ours_until_destroy(config, account_id) -> None:
    _landing_zone_recorder(config, account_id, channel=False)
    before = _snapshot(config)
    provider = ConfigRecorderProvider()

    created = provider.create(_props(account_id))

    (channel,) = config.describe_delivery_channels()["DeliveryChannels"]
    assert (channel["name"], channel["s3BucketName"]) == ("lz-recorder", BUCKET)
    assert _snapshot(config)[2] == [True]
    provider.delete(created.id, created.outs)
    assert _snapshot(config) == before


def test_create_waits_while_config_cannot_use_a_new_role_for_the_bucket(config, account_id, refuse_first) -> None:
    waits = refuse_first(
        "config", "PutDeliveryChannel", "InsufficientDeliveryPolicyException", "Insufficient delivery policy to s3 bucket", 2
    )

    ConfigRecorderProvider().create(_props(account_id))

    (channel,) = config.describe_delivery_channels()["DeliveryChannels"]
    assert channel["s3BucketName"] == BUCKET
    assert waits == [1.0, 2.0]
