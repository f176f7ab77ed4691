"""What the EC2 network providers share: tags on create and update, and ARNs."""

from __future__ import annotations

from typing import Any, Mapping

from provision.stacks.providers.base import aws_call, tag_list
from provision.stacks.providers.tag_sync import apply_tag_changes


def tag_specifications(resource_type: str, tags: Mapping[str, str] | None) -> list[dict[str, Any]]:
    """TagSpecifications for a Create* call, so a resource is never untagged."""
    return [{"ResourceType": resource_type, "Tags": tag_list(tags)}] if tags else []


def sync_tags(ec2, resource_id: str, old: Mapping[str, str] | None, new: Mapping[str, str] | None) -> None:
    """Make the resource's tags go from `old` to `new`."""
    apply_tag_changes(
        old,
        new,
        untag=lambda keys: aws_call(
            f"{resource_id}: DeleteTags", ec2.delete_tags, Resources=[resource_id], Tags=[{"Key": k} for k in keys]
        ),
        tag=lambda tags: aws_call(f"{resource_id}: CreateTags", ec2.create_tags, Resources=[resource_id], Tags=tag_list(tags)),
    )


def ec2_arn(ec2, account_id: str, kind: str, resource_id: str) -> str:
    """arn:<partition>:ec2:<region>:<account>:<kind>/<id>, e.g. kind "vpc"."""
    return f"arn:{ec2.meta.partition}:ec2:{ec2.meta.region_name}:{account_id}:{kind}/{resource_id}"
