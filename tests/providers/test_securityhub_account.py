"""SecurityHubAccountProvider against moto (standards come from the sandbox gap fill)."""

from __future__ import annotations

import boto3
import pytest

from provision.stacks.providers.base import ProviderError
from provision.stacks.providers.securityhub_account import SecurityHubAccountProvider, standard_arn, standards_for

REGION = "eu-west-1"
FSBP = standard_arn(REGION, "aws-foundational-security-best-practices/v/1.0.0")
PCI = standard_arn(REGION, "pci-dss/v/4.0.1")
CIS = standard_arn(REGION, "cis-aws-foundations-benchmark/v/3.0.0")
NIST = standard_arn(REGION, "nist-800-53/v/5.0.0")


@pytest.mark.parametrize(
    ("compliance", "expected"),
    [
        ((), [FSBP]),
        (("gdpr",), [FSBP]),
        (("pci-dss",), [FSBP, PCI]),
        (("soc2", "iso27001"), [FSBP, CIS]),
        (("hipaa",), [FSBP, NIST]),
        (("gdpr", "pci-dss", "hipaa", "soc2"), sorted([FSBP, PCI, NIST, CIS])),
    ],
)
def test_standards_for_compliance(compliance, expected) -> None:
    assert standards_for(compliance, REGION) == expected


def _enabled(hub) -> set[str]:
    return {s["StandardsArn"] for s in hub.get_enabled_standards()["StandardsSubscriptions"]}


def test_create_enables_only_the_requested_standards_and_tags(aws, account_id) -> None:
    hub = boto3.client("securityhub")

    result = SecurityHubAccountProvider().create({"standards": [FSBP, PCI], "tags": {"provision:plan": "acme"}})

    hub_arn = f"arn:aws:securityhub:{REGION}:{account_id}:hub/default"
    assert result.id == hub_arn
    assert _enabled(hub) == {FSBP, PCI}
    assert result.outs["subscriptions"] == {
        FSBP: f"arn:aws:securityhub:{REGION}:{account_id}:subscription/aws-foundational-security-best-practices/v/1.0.0",
        PCI: f"arn:aws:securityhub:{REGION}:{account_id}:subscription/pci-dss/v/4.0.1",
    }
    assert hub.list_tags_for_resource(ResourceArn=hub_arn)["Tags"] == {"provision:plan": "acme"}


def test_read_reflects_standards_and_tag_drift(aws) -> None:
    hub = boto3.client("securityhub")
    created = SecurityHubAccountProvider().create({"standards": [FSBP], "tags": {}})
    hub.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": NIST}])
    hub.tag_resource(ResourceArn=created.id, Tags={"extra": "1"})

    outs = SecurityHubAccountProvider().read(created.id, created.outs).outs

    assert outs["standards"] == sorted([FSBP, NIST])
    assert outs["tags"] == {"extra": "1"}


def test_diff_never_replaces_the_hub() -> None:
    provider = SecurityHubAccountProvider()
    old = {"standards": [FSBP], "tags": {}, "arn": "a", "subscriptions": {}}

    changed = provider.diff("a", old, {"standards": [FSBP, PCI], "tags": {}})

    assert changed.changes and changed.replaces == []
    assert not provider.diff("a", old, {"standards": [FSBP], "tags": {}}).changes


def test_update_enables_and_disables_standards_and_retags(aws) -> None:
    hub = boto3.client("securityhub")
    provider = SecurityHubAccountProvider()
    created = provider.create({"standards": [FSBP, PCI], "tags": {"a": "1"}})

    updated = provider.update(created.id, created.outs, {"standards": [FSBP, CIS], "tags": {"b": "2"}})

    assert _enabled(hub) == {FSBP, CIS}
    assert set(updated.outs["subscriptions"]) == {FSBP, CIS}
    assert hub.list_tags_for_resource(ResourceArn=created.id)["Tags"] == {"b": "2"}


def test_delete_then_read_is_none_and_delete_again_is_fine(aws) -> None:
    provider = SecurityHubAccountProvider()
    created = provider.create({"standards": [FSBP], "tags": {}})

    provider.delete(created.id, created.outs)

    assert provider.read(created.id, created.outs) is None
    provider.delete(created.id, created.outs)


def test_an_unknown_standard_is_named_with_its_error_code_and_rolled_back(aws) -> None:
    bogus = standard_arn(REGION, "made-up/v/1.0.0")

    with pytest.raises(ProviderError) as exc:
        SecurityHubAccountProvider().create({"standards": [bogus], "tags": {}})

    assert str(exc.value) == (
        f"Security Hub: BatchEnableStandards: InvalidInputException: StandardsArn {bogus} is not a valid standards ARN."
    )
    with pytest.raises(Exception) as gone:
        boto3.client("securityhub").describe_hub()
    assert gone.value.response["Error"]["Code"] == "InvalidAccessException"


def test_a_landing_zone_hub_is_adopted_and_left_as_it_was_on_delete(aws, account_id) -> None:
    hub = boto3.client("securityhub")
    hub.enable_security_hub(EnableDefaultStandards=False, Tags={"owner": "lz"})
    hub.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": FSBP}, {"StandardsArn": CIS}])
    provider = SecurityHubAccountProvider()

    created = provider.create({"standards": [FSBP, PCI], "tags": {"provision:plan": "acme"}})

    hub_arn = f"arn:aws:securityhub:{REGION}:{account_id}:hub/default"
    assert (created.id, created.outs["adopted"], created.outs["added_standards"]) == (hub_arn, True, [PCI])
    # Only what the plan needs is added: their standards and tags stay.
    assert _enabled(hub) == {FSBP, CIS, PCI}
    assert hub.list_tags_for_resource(ResourceArn=hub_arn)["Tags"] == {"owner": "lz"}
    assert provider.read(created.id, created.outs).outs == created.outs

    provider.delete(created.id, created.outs)

    # Never disabled; only the standard provision added goes.
    assert hub.describe_hub()["HubArn"] == hub_arn
    assert _enabled(hub) == {FSBP, CIS}
