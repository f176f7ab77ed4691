"""Each provider declares what its kind needs beyond the provider (inventory marker, not-found
codes, existence probe, tag reader, verify checks), and verify's tables per kind are derived
from those declarations: a new kind is one provider module."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from botocore.exceptions import ClientError

from provision.stacks.providers.base import AwsResourceProvider, client, is_not_found
from provision.stacks.providers.kinds import not_found_codes, provider_classes, union_of
from provision.stacks.verify import declared
from provision.stacks.verify.checks import existence, tags
from provision.stacks.verify.checks.existence import GONE_CODES, PROBES
from provision.stacks.verify.checks.tags import TAG_READERS, required_tags
from provision.stacks.verify.inventory import KIND_MARKERS, resource_kind
from provision.stacks.verify.model import LiveResource
from provision.stacks.verify.registry import BY_ID, CATALOGUE, CHECKS

KINDS = provider_classes()
DECLARATIONS = ("INVENTORY_MARKER", "NOT_FOUND", "EXISTENCE_PROBE", "TAG_READER", "VERIFY_CHECKS")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_declares_what_verify_needs_on_its_own_class(kind):
    cls = KINDS[kind]
    missing = [name for name in DECLARATIONS if name not in vars(cls)]
    assert not missing, f"{cls.__name__} inherits {missing}: declare them (empty when none apply)"
    assert cls.INVENTORY_MARKER and cls.EXISTENCE_PROBE is not None
    assert callable(declared.resolve(cls.EXISTENCE_PROBE))
    assert cls.TAG_READER is None or callable(declared.resolve(cls.TAG_READER))
    assert set(cls.VERIFY_CHECKS) <= set(BY_ID)
    # What AWS can tag is checked for its provision:* tags, and only that.
    assert ("tags" in cls.VERIFY_CHECKS) == (cls.TAG_READER is not None)


def test_markers_are_unique_and_every_catalogued_check_is_run_somewhere():
    markers = [marker for _, marker in KIND_MARKERS]
    assert len(markers) == len(set(markers)) == len(KINDS)
    assert {fn.check_id for fn in CATALOGUE} == {check_id for cls in KINDS.values() for check_id in cls.VERIFY_CHECKS}


# ---- the derived tables, against literal values --------------------------------------------

def test_markers_of_a_few_kinds_and_a_flow_log_is_tried_before_a_log_group():
    markers = dict(KIND_MARKERS)
    assert {kind: markers[kind] for kind in ("S3Bucket", "FlowLog", "LogGroup", "Subnet", "TransferUser")} == {
        "S3Bucket": "bucket_name",
        "FlowLog": "flow_log_id",
        "LogGroup": "log_group_name",
        "Subnet": "map_public_ip_on_launch",
        "TransferUser": "home_directory_mappings",
    }
    assert KIND_MARKERS[0] == ("FlowLog", "flow_log_id")
    assert resource_kind("pulumi-python:dynamic:Resource", {"flow_log_id": "fl-1", "log_group_name": "/flow"}) == "FlowLog"
    assert resource_kind("pulumi-python:dynamic:Resource", {"log_group_name": "/flow"}) == "LogGroup"


def test_not_found_and_gone_codes():
    assert not_found_codes() == {
        "NoSuchBucket", "NoSuchEntity", "NotFoundException", "NoSuchDistribution", "ResourceNotFoundException",
        "TrailNotFoundException", "NoSuchConfigurationRecorderException", "NoSuchDeliveryChannelException",
        "InvalidVpcID.NotFound", "InvalidSubnetID.NotFound", "InvalidRouteTableID.NotFound",
        "InvalidInternetGatewayID.NotFound", "InvalidNatGatewayID.NotFound", "InvalidAllocationID.NotFound",
        "InvalidFlowLogId.NotFound", "NotFound", "404",
    }  # fmt: skip
    assert GONE_CODES == {"ResourceNotFound", "NatGatewayNotFound", "InvalidAccessException"}
    assert is_not_found(ClientError({"Error": {"Code": "InvalidVpcID.NotFound"}}, "DescribeVpcs"))
    assert not is_not_found(ClientError({"Error": {"Code": "NatGatewayNotFound"}}, "DescribeNatGateways"))


def test_probes_readers_and_checks_of_a_few_kinds():
    assert PROBES["S3Bucket"] is existence._bucket
    assert PROBES["NatGateway"] is existence._nat
    assert TAG_READERS["Vpc"] is tags._ec2
    assert "CloudWatchDashboard" not in TAG_READERS and "BackupSelection" not in TAG_READERS
    ids = {kind: [fn.check_id for fn in CHECKS[kind]] for kind in ("S3Bucket", "KmsKey", "Budget")}
    assert ids == {
        "S3Bucket": ["s3.encryption", "s3.public-access-block", "s3.versioning", "s3.tls-only", "tags"],
        "KmsKey": ["kms.rotation", "tags"],
        "Budget": ["tags"],
    }
    assert set(KINDS) - set(CHECKS) == {"BackupSelection", "CloudWatchDashboard"}


# ---- a new kind: one class, nothing else edited ------------------------------------------------

class WidgetProvider(AwsResourceProvider):
    """A toy kind, declared as a new provider module would declare it."""

    OUTPUTS = frozenset({"widget_id", "arn"})
    INVENTORY_MARKER = "widget_id"
    NOT_FOUND = frozenset({"InvalidWidgetID.NotFound"})
    ALSO_GONE = frozenset({"WidgetGone"})
    EXISTENCE_PROBE = ("existence:_ec2", "describe_widgets", "WidgetIds", "Widgets")
    TAG_READER = ("provision.stacks.verify.checks.tags:_arn_list", "widgets", "ResourceArn")
    VERIFY_CHECKS = ("tags",)


WITH_WIDGET = {**KINDS, "Widget": WidgetProvider}


def test_a_new_provider_class_is_in_every_derived_table():
    assert ("Widget", "widget_id") in declared.kind_markers(WITH_WIDGET)
    assert declared.kind_markers(WITH_WIDGET)[0] == ("FlowLog", "flow_log_id")  # priority 0: after FlowLog
    probe = declared.refs("EXISTENCE_PROBE", WITH_WIDGET)["Widget"]
    assert probe.__qualname__ == "_ec2.<locals>.probe"
    assert [c.cell_contents for c in probe.__closure__] == ["describe_widgets", "WidgetIds", "Widgets"]
    reader = declared.refs("TAG_READER", WITH_WIDGET)["Widget"]
    assert reader.__qualname__ == "_arn_list.<locals>.read"
    assert declared.kind_checks(BY_ID, WITH_WIDGET)["Widget"] == (required_tags,)
    assert union_of("NOT_FOUND", WITH_WIDGET) == not_found_codes() | {"InvalidWidgetID.NotFound"}
    assert declared.gone_codes(WITH_WIDGET) == GONE_CODES | {"WidgetGone"}


class GadgetProvider(WidgetProvider):
    """A toy kind whose service answers a plain get call with "not found" once it is gone."""

    EXISTENCE_PROBE = ("existence:_answers", "s3", "head_bucket", "Bucket")


def test_a_get_call_named_by_its_arguments_probes_a_new_kind(aws):
    probe = declared.refs("EXISTENCE_PROBE", {"Gadget": GadgetProvider})["Gadget"]
    s3 = client("s3")
    s3.create_bucket(Bucket="gadget", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    gadget = LiveResource(urn="u", name="web-gadget", kind="Gadget", function="web", id="gadget")
    ctx = SimpleNamespace(client=lambda service, res: client(service))
    assert probe(gadget, ctx) is True
    s3.delete_bucket(Bucket="gadget")
    with pytest.raises(ClientError) as gone:
        probe(gadget, ctx)
    assert is_not_found(gone.value)


def test_the_live_tables_hold_only_provisions_own_package():
    """Discovery is package-scoped: a provider class is a kind when its module is in
    stacks/providers/ (found by the module scan), so a class defined elsewhere (this one)
    shows only in tables derived from the classes it is passed with."""
    assert "Widget" not in provider_classes() and "Widget" not in PROBES and "Widget" not in dict(KIND_MARKERS)


def test_a_check_id_no_check_has_is_refused_by_name():
    class TypoProvider(WidgetProvider):
        VERIFY_CHECKS = ("tag",)

    with pytest.raises(ValueError, match="TypoProvider.VERIFY_CHECKS names unknown checks: tag"):
        declared.kind_checks(BY_ID, {"Typo": TypoProvider})
