"""AWS Config: the configuration recorder with its delivery channel, recording on/off.

One resource for the pair because AWS treats them as one: a recorder cannot
start without a channel, and the last channel cannot go while the recorder
runs. Both carry the same name (the id). The recorder records every supported
resource type, global ones (IAM) included unless told otherwise.

Tags are set when the recorder is created; later changes are applied through
the recorder ARN when AWS reports one.

A landing zone usually runs the region's recorder already (a second one is
refused). Then it is adopted, not owned (`adopted` in the state; the id is its
name): its settings and tags stay; only what it lacks for the plan is added
(a delivery channel, recording turned on), recorded as such, and destroy
undoes only that. The recorder itself is never stopped or deleted.
"""

from __future__ import annotations

from typing import Any, Mapping

import pulumi
import pulumi.dynamic

from provision.stacks.providers.base import (
    AwsResourceProvider,
    CreateResult,
    ReadResult,
    UpdateResult,
    aws_call,
    client,
    rollback_on_failure,
    tag_list,
)
from provision.stacks.providers.calls import call_or_none, first_or_none, role_not_yet_usable, while_role_propagates
from provision.stacks.providers.tag_sync import tag_changes, tags_of

DELIVERY_ROLE_NOT_YET_USABLE = role_not_yet_usable("InsufficientDeliveryPolicyException")
FREQUENCIES = ("One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours")


def _recorder(name: str, props: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "roleARN": props["role_arn"],
        "recordingGroup": {
            "allSupported": True,
            "includeGlobalResourceTypes": props.get("include_global_resource_types", True),
        },
    }


def _channel(name: str, props: Mapping[str, Any]) -> dict[str, Any]:
    channel: dict[str, Any] = {
        "name": name,
        "s3BucketName": props["s3_bucket_name"],
        "configSnapshotDeliveryProperties": {"deliveryFrequency": props.get("delivery_frequency") or "TwentyFour_Hours"},
    }
    if props.get("s3_key_prefix"):
        channel["s3KeyPrefix"] = props["s3_key_prefix"]
    if props.get("s3_kms_key_arn"):
        channel["s3KmsKeyArn"] = props["s3_kms_key_arn"]
    return channel


class ConfigRecorderProvider(AwsResourceProvider):
    REPLACE_ON = frozenset({"name"})
    OUTPUTS = frozenset({"recorder_arn", "adopted", "channel_added", "started_recording"})
    # A region holds one recorder: a renamed one can only be made once the old one is gone.
    UNIQUE_BY: frozenset[str] = frozenset()
    # What verify and the other providers need to know of this kind (see AwsResourceProvider).
    INVENTORY_MARKER = "include_global_resource_types"
    NOT_FOUND = frozenset({"NoSuchConfigurationRecorderException", "NoSuchDeliveryChannelException"})
    EXISTENCE_PROBE = "existence:_recorder"
    TAG_READER = "tags:_config_recorder"
    VERIFY_CHECKS = ("config.recording", "tags")

    def create(self, props: dict[str, Any]) -> CreateResult:
        config = client("config")
        name = props["name"]
        existing = aws_call(
            "Config: DescribeConfigurationRecorders", config.describe_configuration_recorders
        )["ConfigurationRecorders"]
        if existing:
            return self._adopt(config, existing[0], props)
        aws_call(
            f"Config recorder {name}: PutConfigurationRecorder",
            config.put_configuration_recorder,
            ConfigurationRecorder=_recorder(name, props),
            Tags=tag_list(props.get("tags")),
        )
        with rollback_on_failure(lambda: self.delete(name, props)):
            self._put_channel(config, name, props)
            self._set_recording(config, name, props.get("recording", True))
        return CreateResult(name, self.outputs(props, recorder_arn=self._arn(config, name)))

    def _adopt(self, config, recorder: Mapping[str, Any], props: dict[str, Any]) -> CreateResult:
        """Use the region's recorder as not owned, adding only a channel and recording if it lacks them."""
        name = recorder["name"]
        channels = aws_call("Config: DescribeDeliveryChannels", config.describe_delivery_channels)["DeliveryChannels"]
        added = {"channel_added": False, "started_recording": False}
        if not channels:
            self._put_channel(config, name, props)
            added["channel_added"] = True
        if props.get("recording", True) and not self._recording(config, name):
            self._set_recording(config, name, True)
            added["started_recording"] = True
        return CreateResult(name, self.outputs(props, recorder_arn=recorder.get("arn"), adopted=True, **added))

    @staticmethod
    def _recording(config, name: str) -> bool:
        status = first_or_none(
            f"Config recorder {name}: DescribeConfigurationRecorderStatus",
            config.describe_configuration_recorder_status,
            "ConfigurationRecordersStatus",
            ConfigurationRecorderNames=[name],
        )
        return bool(status and status.get("recording"))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult | None:
        config = client("config")
        what = f"Config recorder {id_}"
        if props.get("adopted"):
            # Not ours: its settings are the landing zone's; it only has to be there.
            there = first_or_none(
                f"{what}: DescribeConfigurationRecorders",
                config.describe_configuration_recorders,
                "ConfigurationRecorders",
                ConfigurationRecorderNames=[id_],
            )
            return ReadResult(id_, dict(props)) if there else None
        recorder = first_or_none(
            f"{what}: DescribeConfigurationRecorders",
            config.describe_configuration_recorders,
            "ConfigurationRecorders",
            ConfigurationRecorderNames=[id_],
        )
        if recorder is None:
            return None
        channel = (
            first_or_none(
                f"{what}: DescribeDeliveryChannels",
                config.describe_delivery_channels,
                "DeliveryChannels",
                DeliveryChannelNames=[id_],
            )
            or {}
        )
        status = first_or_none(
            f"{what}: DescribeConfigurationRecorderStatus",
            config.describe_configuration_recorder_status,
            "ConfigurationRecordersStatus",
            ConfigurationRecorderNames=[id_],
        )
        group = recorder.get("recordingGroup", {})
        tags = props.get("tags")
        if recorder.get("arn"):
            listed = aws_call(f"{what}: ListTagsForResource", config.list_tags_for_resource, ResourceArn=recorder["arn"])
            tags = tags_of(listed["Tags"])
        current = {
            **props,
            "name": recorder["name"],
            "role_arn": recorder["roleARN"],
            "all_supported": group.get("allSupported", False),
            "include_global_resource_types": group.get("includeGlobalResourceTypes", False),
            "s3_bucket_name": channel.get("s3BucketName"),
            "s3_key_prefix": channel.get("s3KeyPrefix") or None,
            "s3_kms_key_arn": channel.get("s3KmsKeyArn") or None,
            "delivery_frequency": channel.get("configSnapshotDeliveryProperties", {}).get("deliveryFrequency"),
            "recording": bool(status and status.get("recording")),
            "tags": tags,
        }
        return ReadResult(id_, self.outputs(current, recorder_arn=recorder.get("arn")))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        config = client("config")
        what = f"Config recorder {id_}"
        if olds.get("adopted"):
            if olds.get("channel_added"):
                self._put_channel(config, id_, news)
            kept = {k: olds.get(k) for k in ("recorder_arn", "adopted", "channel_added", "started_recording")}
            return UpdateResult(self.outputs(news, **kept))
        aws_call(
            f"{what}: PutConfigurationRecorder",
            config.put_configuration_recorder,
            ConfigurationRecorder=_recorder(id_, news),
        )
        self._put_channel(config, id_, news)
        self._set_recording(config, id_, news.get("recording", True))
        arn = self._arn(config, id_)
        to_set, removed = tag_changes(olds.get("tags"), news.get("tags"))
        if arn and removed:
            aws_call(f"{what}: UntagResource", config.untag_resource, ResourceArn=arn, TagKeys=removed)
        if arn and to_set:
            aws_call(f"{what}: TagResource", config.tag_resource, ResourceArn=arn, Tags=tag_list(to_set))
        return UpdateResult(self.outputs(news, recorder_arn=arn))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        config = client("config")
        what = f"Config recorder {id_}"
        if props.get("adopted"):
            # Undo only what provision added; the landing zone's recorder stays.
            if props.get("started_recording"):
                call_or_none(
                    f"{what}: StopConfigurationRecorder", config.stop_configuration_recorder, ConfigurationRecorderName=id_
                )
            if props.get("channel_added"):
                call_or_none(f"{what}: DeleteDeliveryChannel", config.delete_delivery_channel, DeliveryChannelName=id_)
            return
        # Stop first: AWS refuses to delete the last channel of a running recorder.
        call_or_none(
            f"{what}: StopConfigurationRecorder", config.stop_configuration_recorder, ConfigurationRecorderName=id_
        )
        call_or_none(f"{what}: DeleteDeliveryChannel", config.delete_delivery_channel, DeliveryChannelName=id_)
        call_or_none(
            f"{what}: DeleteConfigurationRecorder", config.delete_configuration_recorder, ConfigurationRecorderName=id_
        )

    @staticmethod
    def _put_channel(config, name: str, props: Mapping[str, Any]) -> None:
        # Config checks the bucket with the recorder's role, which may still be propagating.
        while_role_propagates(
            f"Config recorder {name}: PutDeliveryChannel",
            config.put_delivery_channel,
            retry_if=DELIVERY_ROLE_NOT_YET_USABLE,
            DeliveryChannel=_channel(name, props),
        )

    @staticmethod
    def _set_recording(config, name: str, on: bool) -> None:
        call = config.start_configuration_recorder if on else config.stop_configuration_recorder
        what = f"Config recorder {name}: {'Start' if on else 'Stop'}ConfigurationRecorder"
        aws_call(what, call, ConfigurationRecorderName=name)

    @staticmethod
    def _arn(config, name: str) -> str | None:
        recorder = first_or_none(
            f"Config recorder {name}: DescribeConfigurationRecorders",
            config.describe_configuration_recorders,
            "ConfigurationRecorders",
            ConfigurationRecorderNames=[name],
        )
        return (recorder or {}).get("arn")


class ConfigRecorder(pulumi.dynamic.Resource, module="aws", name="ConfigRecorder"):
    """The account's AWS Config recorder and delivery channel; the id is their name."""

    recorder_arn: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        *,
        name: pulumi.Input[str],
        role_arn: pulumi.Input[str],
        s3_bucket_name: pulumi.Input[str],
        s3_key_prefix: str | None = None,
        s3_kms_key_arn: pulumi.Input[str] | None = None,
        include_global_resource_types: bool = True,
        delivery_frequency: str = "TwentyFour_Hours",
        recording: bool = True,
        tags: Mapping[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if delivery_frequency not in FREQUENCIES:
            raise ValueError(f"delivery_frequency must be one of {', '.join(FREQUENCIES)}")
        props = {
            "name": name,
            "role_arn": role_arn,
            "all_supported": True,
            "s3_bucket_name": s3_bucket_name,
            "s3_key_prefix": s3_key_prefix,
            "s3_kms_key_arn": s3_kms_key_arn,
            "include_global_resource_types": include_global_resource_types,
            "delivery_frequency": delivery_frequency,
            "recording": recording,
            "tags": dict(tags or {}),
            "recorder_arn": None,
            "adopted": None,
            "channel_added": None,
            "started_recording": None,
        }
        super().__init__(ConfigRecorderProvider(), resource_name, props, opts)
