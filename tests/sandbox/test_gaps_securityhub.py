"""The Security Hub gap fill: standards subscriptions and hub tags through boto3 on moto."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from provision.stacks.sandbox.gaps import securityhub as securityhub_gap

REGION = "eu-west-1"
ACCOUNT = "123456789012"
FSBP = f"arn:aws:securityhub:{REGION}::standards/aws-foundational-security-best-practices/v/1.0.0"
CIS_12 = "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0"
PCI = f"arn:aws:securityhub:{REGION}::standards/pci-dss/v/3.2.1"
NIST = f"arn:aws:securityhub:{REGION}::standards/nist-800-53/v/5.0.0"
SUBSCRIPTION = f"arn:aws:securityhub:{REGION}:{ACCOUNT}:subscription"
HUB = f"arn:aws:securityhub:{REGION}:{ACCOUNT}:hub/default"


@pytest.fixture(autouse=True)
def _installed(gap_env) -> None:
    securityhub_gap.install()


@pytest.fixture
def hub():
    with mock_aws():
        yield boto3.client("securityhub", region_name=REGION)


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = exc.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def _enabled(hub) -> dict[str, str]:
    return {s["StandardsArn"]: s["StandardsSubscriptionArn"] for s in hub.get_enabled_standards()["StandardsSubscriptions"]}


def test_enable_security_hub_turns_on_the_default_standards(hub) -> None:
    hub.enable_security_hub()
    assert _enabled(hub) == {
        FSBP: f"{SUBSCRIPTION}/aws-foundational-security-best-practices/v/1.0.0",
        CIS_12: f"{SUBSCRIPTION}/cis-aws-foundations-benchmark/v/1.2.0",
    }


def test_enabling_an_enabled_hub_is_a_conflict(hub) -> None:
    hub.enable_security_hub(EnableDefaultStandards=False)
    with pytest.raises(ClientError) as exc:
        hub.enable_security_hub()
    assert _error(exc) == ("ResourceConflictException", "Account is already subscribed to Security Hub", 409)
    assert _enabled(hub) == {}


def test_enable_without_default_standards_has_none(hub) -> None:
    hub.enable_security_hub(EnableDefaultStandards=False)
    assert _enabled(hub) == {}


def test_batch_enable_answers_pending_subscriptions(hub) -> None:
    hub.enable_security_hub(EnableDefaultStandards=False)

    result = hub.batch_enable_standards(
        StandardsSubscriptionRequests=[{"StandardsArn": PCI}, {"StandardsArn": NIST}]
    )["StandardsSubscriptions"]

    assert result == [
        {
            "StandardsSubscriptionArn": f"{SUBSCRIPTION}/pci-dss/v/3.2.1",
            "StandardsArn": PCI,
            "StandardsInput": {},
            "StandardsStatus": "PENDING",
            "StandardsControlsUpdatable": "NOT_READY_FOR_UPDATES",
        },
        {
            "StandardsSubscriptionArn": f"{SUBSCRIPTION}/nist-800-53/v/5.0.0",
            "StandardsArn": NIST,
            "StandardsInput": {},
            "StandardsStatus": "PENDING",
            "StandardsControlsUpdatable": "NOT_READY_FOR_UPDATES",
        },
    ]
    assert set(_enabled(hub)) == {PCI, NIST}


def test_a_subscription_is_pending_then_ready(hub) -> None:
    hub.enable_security_hub(EnableDefaultStandards=False)
    hub.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": PCI}])

    reads = [hub.get_enabled_standards()["StandardsSubscriptions"][0] for _ in range(3)]

    assert [(r["StandardsStatus"], r["StandardsControlsUpdatable"]) for r in reads] == [
        ("PENDING", "NOT_READY_FOR_UPDATES"),
        ("READY", "READY_FOR_UPDATES"),
        ("READY", "READY_FOR_UPDATES"),
    ]


def test_enabling_twice_keeps_one_subscription(hub) -> None:
    hub.enable_security_hub(EnableDefaultStandards=False)
    for _ in range(2):
        hub.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": PCI}])
    assert list(_enabled(hub)) == [PCI]


def test_get_enabled_standards_filters_and_pages(hub) -> None:
    hub.enable_security_hub()
    hub.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": PCI}])

    only = hub.get_enabled_standards(StandardsSubscriptionArns=[f"{SUBSCRIPTION}/pci-dss/v/3.2.1"])
    assert [s["StandardsArn"] for s in only["StandardsSubscriptions"]] == [PCI]

    pages = hub.get_paginator("get_enabled_standards").paginate(PaginationConfig={"PageSize": 2})
    assert [len(page["StandardsSubscriptions"]) for page in pages] == [2, 1]


def test_batch_disable_answers_deleting_and_removes(hub) -> None:
    hub.enable_security_hub()
    subscription = f"{SUBSCRIPTION}/cis-aws-foundations-benchmark/v/1.2.0"

    result = hub.batch_disable_standards(StandardsSubscriptionArns=[subscription])["StandardsSubscriptions"]

    assert [(s["StandardsSubscriptionArn"], s["StandardsStatus"]) for s in result] == [(subscription, "DELETING")]
    assert list(_enabled(hub)) == [FSBP]


def test_unknown_standard_and_subscription_are_invalid_input(hub) -> None:
    hub.enable_security_hub(EnableDefaultStandards=False)
    bogus = f"arn:aws:securityhub:{REGION}::standards/made-up/v/1.0.0"

    with pytest.raises(ClientError) as exc:
        hub.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": bogus}])
    assert _error(exc) == ("InvalidInputException", f"StandardsArn {bogus} is not a valid standards ARN.", 400)

    with pytest.raises(ClientError) as exc:
        hub.batch_disable_standards(StandardsSubscriptionArns=[f"{SUBSCRIPTION}/pci-dss/v/3.2.1"])
    assert _error(exc)[0::2] == ("InvalidInputException", 400)


def test_standards_need_a_subscribed_account(hub) -> None:
    for call in (
        lambda: hub.get_enabled_standards(),
        lambda: hub.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": PCI}]),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert _error(exc) == ("InvalidAccessException", "Account is not subscribed to AWS Security Hub", 401)


def test_disabling_the_hub_drops_subscriptions(hub) -> None:
    hub.enable_security_hub()
    hub.disable_security_hub()
    hub.enable_security_hub(EnableDefaultStandards=False)
    assert _enabled(hub) == {}


def test_describe_standards_lists_the_known_catalogue(hub) -> None:
    hub.enable_security_hub(EnableDefaultStandards=False)
    standards = {s["StandardsArn"]: s for s in hub.describe_standards()["Standards"]}
    assert {FSBP, CIS_12, PCI, NIST} <= set(standards)
    assert standards[FSBP]["EnabledByDefault"] is True
    assert standards[PCI]["EnabledByDefault"] is False


def test_hub_tags_round_trip(hub) -> None:
    hub.enable_security_hub(Tags={"a": "1"}, EnableDefaultStandards=False)

    hub.tag_resource(ResourceArn=HUB, Tags={"b": "2"})
    hub.untag_resource(ResourceArn=HUB, TagKeys=["a"])

    assert hub.list_tags_for_resource(ResourceArn=HUB)["Tags"] == {"b": "2"}


def test_tags_of_a_hub_not_enabled_are_not_found(hub) -> None:
    with pytest.raises(ClientError) as exc:
        hub.list_tags_for_resource(ResourceArn=HUB)
    assert _error(exc) == ("ResourceNotFoundException", f"Resource {HUB} not found.", 404)


def test_through_a_threaded_moto_server(moto_endpoint: str) -> None:
    hub = boto3.client("securityhub", region_name=REGION, endpoint_url=moto_endpoint)
    hub.enable_security_hub(EnableDefaultStandards=False)

    hub.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": PCI}])
    assert list(_enabled(hub)) == [PCI]
    hub.batch_disable_standards(StandardsSubscriptionArns=[f"{SUBSCRIPTION}/pci-dss/v/3.2.1"])
    assert _enabled(hub) == {}

    hub.tag_resource(ResourceArn=HUB, Tags={"a": "1"})
    assert hub.list_tags_for_resource(ResourceArn=HUB)["Tags"] == {"a": "1"}
