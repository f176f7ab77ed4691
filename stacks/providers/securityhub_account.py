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

A landing zone may already run the hub (EnableSecurityHub then answers
ResourceConflictException). Then it is adopted, not owned (`adopted` in the
state): the standards the plan needs are added, the hub's own standards and
tags are left alone, and destroy disables only the standards `provision`
added, never the hub.
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
from provision.stacks.providers.calls import call_or_none, partition_of
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
    return f"arn:{partition_of(region)}:securityhub:{region}::standards/{standard}"


def standards_for(compliance: Iterable[str], region: str) -> list[str]:
    """The standards ARNs the regimes call for (see the module docstring), sorted."""
    wanted = {FOUNDATIONAL}
    for regime in compliance:
        wanted.update(STANDARDS_BY_REGIME[regime])
    return sorted(standard_arn(region, s) for s in wanted)


class SecurityHubAccountProvider(AwsResourceProvider):
    OUTPUTS = frozenset({"arn", "subscriptions", "adopted", "added_standards"})
    SET_LIKE = frozenset({"standards"})
    # What verify and the other providers need to know of this kind (see AwsResourceProvider).
    INVENTORY_MARKER = "standards"
    NOT_FOUND = frozenset()
    ALSO_GONE = frozenset({NO_HUB})
    EXISTENCE_PROBE = "existence:_hub"
    TAG_READER = ("tags:_arn_map", "securityhub", "list_tags_for_resource", "ResourceArn")
    VERIFY_CHECKS = ("securityhub.enabled", "securityhub.standards", "tags")

    def create(self, props: dict[str, Any]) -> CreateResult:
        hub = client("securityhub")
        existing = call_or_none("Security Hub: DescribeHub", hub.describe_hub, also_gone=[NO_HUB])
        if existing is not None:
            return self._adopt(hub, existing["HubArn"], props)
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

    def _adopt(self, hub, arn: str, props: dict[str, Any]) -> CreateResult:
        """Use the landing zone's hub as not owned: add the plan's missing standards, nothing else."""
        before = self._enabled(hub)
        added = self._add_standards(hub, props.get("standards") or [], before)
        subscriptions = self._enabled(hub)
        return CreateResult(arn, self._adopted_outputs(props, arn, subscriptions, added))

    def _adopted_outputs(
        self, props: Mapping[str, Any], arn: str, subscriptions: Mapping[str, str], added: Sequence[str]
    ) -> dict[str, Any]:
        ours = {s: a for s, a in subscriptions.items() if s in (props.get("standards") or [])}
        return self.outputs(props, arn=arn, subscriptions=ours, adopted=True, added_standards=sorted(added))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult | None:
        hub = client("securityhub")
        if call_or_none("Security Hub: DescribeHub", hub.describe_hub, also_gone=[NO_HUB], HubArn=id_) is None:
            return None
        subscriptions = self._enabled(hub)
        if props.get("adopted"):
            # Only the plan's standards are tracked; the hub's others and its tags are the landing zone's.
            current = {**props, "standards": sorted(s for s in subscriptions if s in (props.get("standards") or []))}
            return ReadResult(id_, self._adopted_outputs(current, id_, subscriptions, props.get("added_standards") or []))
        tags = aws_call(f"Security Hub {id_}: ListTagsForResource", hub.list_tags_for_resource, ResourceArn=id_)
        current = {**props, "standards": sorted(subscriptions), "tags": tags.get("Tags") or {}}
        return ReadResult(id_, self.outputs(current, arn=id_, subscriptions=subscriptions))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        hub = client("securityhub")
        if olds.get("adopted"):
            return UpdateResult(self._update_adopted(hub, id_, olds, news))
        subscriptions = self._sync_standards(hub, news.get("standards") or [])
        to_set, removed = tag_changes(olds.get("tags"), news.get("tags"))
        if removed:
            aws_call(f"Security Hub {id_}: UntagResource", hub.untag_resource, ResourceArn=id_, TagKeys=removed)
        if to_set:
            aws_call(f"Security Hub {id_}: TagResource", hub.tag_resource, ResourceArn=id_, Tags=to_set)
        return UpdateResult(self.outputs(news, arn=id_, subscriptions=subscriptions))

    def _update_adopted(self, hub, arn: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
        """Add what the plan now needs; drop only standards we added that it no longer needs."""
        wanted = news.get("standards") or []
        added = set(olds.get("added_standards") or [])
        enabled = self._enabled(hub)
        dropped = [enabled[s] for s in sorted(added - set(wanted)) if s in enabled]
        if dropped:
            aws_call("Security Hub: BatchDisableStandards", hub.batch_disable_standards, StandardsSubscriptionArns=dropped)
        added = (added & set(wanted)) | set(self._add_standards(hub, wanted, enabled))
        return self._adopted_outputs(news, arn, self._enabled(hub), sorted(added))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        hub = client("securityhub")
        if props.get("adopted"):
            # Not ours: the hub stays; only the standards provision added go.
            enabled = call_or_none("Security Hub: GetEnabledStandards", lambda: self._enabled(hub), also_gone=[NO_HUB])
            ours = [enabled[s] for s in props.get("added_standards") or [] if s in (enabled or {})]
            if ours:
                aws_call("Security Hub: BatchDisableStandards", hub.batch_disable_standards, StandardsSubscriptionArns=ours)
            return
        # Disabling the hub also drops its standards subscriptions.
        call_or_none("Security Hub: DisableSecurityHub", hub.disable_security_hub, also_gone=[NO_HUB])

    @staticmethod
    def _add_standards(hub, wanted: Sequence[str], enabled: Mapping[str, str]) -> list[str]:
        """Enable the `wanted` standards not yet `enabled`; returns those it enabled."""
        missing = sorted(set(wanted) - enabled.keys())
        if missing:
            aws_call(
                "Security Hub: BatchEnableStandards",
                hub.batch_enable_standards,
                StandardsSubscriptionRequests=[{"StandardsArn": s} for s in missing],
            )
        return missing

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
            "adopted": None,
            "added_standards": None,
        }
        super().__init__(SecurityHubAccountProvider(), resource_name, props, opts)
