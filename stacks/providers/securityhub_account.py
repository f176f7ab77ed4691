"""Security Hub for the account and region: the hub, its enabled standards, its tags.

Standards are managed explicitly (the hub is enabled without AWS's default
set), chosen from the plan's compliance regimes by `standards_for`:

| regime   | Security Hub standard                                        |
| -------- | ------------------------------------------------------------ |
| (always) | AWS Foundational Security Best Practices v1.0.0              |
| pci-dss  | PCI DSS v4.0.1                                               |
| soc2     | CIS AWS Foundations Benchmark v3.0.0                         |
| iso27001 | CIS AWS Foundations Benchmark v3.0.0                         |
| hipaa    | NIST SP 800-53 Rev. 5 (Security Hub has no HIPAA standard;   |
|          | HHS maps the HIPAA Security Rule onto NIST 800-53 controls)  |
| gdpr     | nothing beyond the baseline (no Security Hub standard)       |
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

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
)
from provision.stacks.providers.calls import call_or_none
from provision.stacks.providers.tag_sync import tag_changes

FOUNDATIONAL = "aws-foundational-security-best-practices/v/1.0.0"
STANDARDS_BY_REGIME = {
    "pci-dss": ("pci-dss/v/4.0.1",),
    "soc2": ("cis-aws-foundations-benchmark/v/3.0.0",),
    "iso27001": ("cis-aws-foundations-benchmark/v/3.0.0",),
    "hipaa": ("nist-800-53/v/5.0.0",),
    "gdpr": (),
}
# Answered for an account that has no hub: for read and delete that means "gone".
NO_HUB = "InvalidAccessException"


def standard_arn(region: str, standard: str) -> str:
    """The ARN of a regional standard, e.g. standard_arn("eu-west-1", "pci-dss/v/4.0.1")."""
    return f"arn:aws:securityhub:{region}::standards/{standard}"


def standards_for(compliance: Iterable[str], region: str) -> list[str]:
    """The standards ARNs the regimes call for (see the module docstring), sorted."""
    wanted = {FOUNDATIONAL}
    for regime in compliance:
        wanted.update(STANDARDS_BY_REGIME[regime])
    return sorted(standard_arn(region, s) for s in wanted)


class SecurityHubAccountProvider(AwsResourceProvider):
    OUTPUTS = frozenset({"arn", "subscriptions"})
    SET_LIKE = frozenset({"standards"})

    def create(self, props: dict[str, Any]) -> CreateResult:
        hub = client("securityhub")
        aws_call(
            "Security Hub: EnableSecurityHub",
            hub.enable_security_hub,
            EnableDefaultStandards=False,
            Tags=dict(props.get("tags") or {}),
        )
        with rollback_on_failure(hub.disable_security_hub):
            arn = aws_call("Security Hub: DescribeHub", hub.describe_hub)["HubArn"]
            subscriptions = self._sync_standards(hub, props.get("standards") or [])
        return CreateResult(arn, self.outputs(props, arn=arn, subscriptions=subscriptions))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult | None:
        hub = client("securityhub")
        if call_or_none("Security Hub: DescribeHub", hub.describe_hub, also_gone=[NO_HUB], HubArn=id_) is None:
            return None
        subscriptions = self._enabled(hub)
        tags = aws_call(f"Security Hub {id_}: ListTagsForResource", hub.list_tags_for_resource, ResourceArn=id_)
        current = {**props, "standards": sorted(subscriptions), "tags": tags.get("Tags") or {}}
        return ReadResult(id_, self.outputs(current, arn=id_, subscriptions=subscriptions))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        hub = client("securityhub")
        subscriptions = self._sync_standards(hub, news.get("standards") or [])
        to_set, removed = tag_changes(olds.get("tags"), news.get("tags"))
        if removed:
            aws_call(f"Security Hub {id_}: UntagResource", hub.untag_resource, ResourceArn=id_, TagKeys=removed)
        if to_set:
            aws_call(f"Security Hub {id_}: TagResource", hub.tag_resource, ResourceArn=id_, Tags=to_set)
        return UpdateResult(self.outputs(news, arn=id_, subscriptions=subscriptions))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        # Disabling the hub also drops its standards subscriptions.
        call_or_none("Security Hub: DisableSecurityHub", client("securityhub").disable_security_hub, also_gone=[NO_HUB])

    @staticmethod
    def _enabled(hub) -> dict[str, str]:
        """Enabled standards ARN -> subscription ARN."""
        pages = hub.get_paginator("get_enabled_standards").paginate()
        subscriptions = aws_call(
            "Security Hub: GetEnabledStandards",
            lambda: [s for page in pages for s in page["StandardsSubscriptions"]],
        )
        return {s["StandardsArn"]: s["StandardsSubscriptionArn"] for s in subscriptions}

    def _sync_standards(self, hub, wanted: Sequence[str]) -> dict[str, str]:
        enabled = self._enabled(hub)
        extra = [arn for standard, arn in sorted(enabled.items()) if standard not in wanted]
        if extra:
            aws_call("Security Hub: BatchDisableStandards", hub.batch_disable_standards, StandardsSubscriptionArns=extra)
        missing = [{"StandardsArn": s} for s in sorted(set(wanted) - enabled.keys())]
        if missing:
            aws_call(
                "Security Hub: BatchEnableStandards",
                hub.batch_enable_standards,
                StandardsSubscriptionRequests=missing,
            )
        return self._enabled(hub)


class SecurityHubAccount(pulumi.dynamic.Resource, module="aws", name="SecurityHubAccount"):
    """Security Hub enabled with exactly `standards` (ARNs, see `standards_for`)."""

    arn: pulumi.Output[str]
    subscriptions: pulumi.Output[Mapping[str, str]]

    def __init__(
        self,
        resource_name: str,
        *,
        standards: Sequence[str],
        tags: Mapping[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "standards": sorted(set(standards)),
            "tags": dict(tags or {}),
            "arn": None,
            "subscriptions": None,
        }
        super().__init__(SecurityHubAccountProvider(), resource_name, props, opts)
