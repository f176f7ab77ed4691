"""Policy documents of the security-monitoring function: bucket, key and role policies.

Each is built from names known before deployment (bucket names, the trail
ARN), so it names exactly the resources it protects, and each bucket policy
denies requests made without TLS.
"""

from __future__ import annotations

import json
from typing import Any

from provision.stacks.providers.kms_key import key_policy
from provision.stacks.providers.s3_policies import deny_insecure_transport, policy_document

GUARDDUTY_PREFIX = "guardduty"
CONFIG_PREFIX = "config"


def trail_arn(region: str, account_id: str, name: str, partition: str = "aws") -> str:
    return f"arn:{partition}:cloudtrail:{region}:{account_id}:trail/{name}"


def trail_bucket_policy(bucket: str, account_id: str, trail: str, partition: str = "aws") -> str:
    """Only `trail` may check the bucket ACL and write, owner-controlled, under AWSLogs/<account>/."""
    service = {"Service": "cloudtrail.amazonaws.com"}
    return policy_document(
        {
            "Sid": "CloudTrailAclCheck",
            "Effect": "Allow",
            "Principal": service,
            "Action": "s3:GetBucketAcl",
            "Resource": f"arn:{partition}:s3:::{bucket}",
            "Condition": {"StringEquals": {"aws:SourceArn": trail}},
        },
        {
            "Sid": "CloudTrailWrite",
            "Effect": "Allow",
            "Principal": service,
            "Action": "s3:PutObject",
            "Resource": f"arn:{partition}:s3:::{bucket}/AWSLogs/{account_id}/*",
            "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail}},
        },
        deny_insecure_transport(bucket, partition),
    )


def logs_bucket_policy(bucket: str, account_id: str, region: str, services: set[str], partition: str = "aws") -> str:
    """GuardDuty exports and Config deliveries from this account only, each under its own prefix."""
    statements: list[dict[str, Any]] = []
    this_account = {"StringEquals": {"aws:SourceAccount": account_id}}
    if "guardduty" in services:
        guardduty = {"Service": "guardduty.amazonaws.com"}
        detectors = {**this_account, "ArnLike": {"aws:SourceArn": f"arn:{partition}:guardduty:{region}:{account_id}:detector/*"}}
        statements += [
            {
                "Sid": "GuardDutyBucketLocation",
                "Effect": "Allow",
                "Principal": guardduty,
                "Action": "s3:GetBucketLocation",
                "Resource": f"arn:{partition}:s3:::{bucket}",
                "Condition": detectors,
            },
            {
                "Sid": "GuardDutyExport",
                "Effect": "Allow",
                "Principal": guardduty,
                "Action": "s3:PutObject",
                "Resource": f"arn:{partition}:s3:::{bucket}/{GUARDDUTY_PREFIX}/*",
                "Condition": detectors,
            },
        ]
    if "config" in services:
        config = {"Service": "config.amazonaws.com"}
        statements += [
            {
                "Sid": "ConfigBucketCheck",
                "Effect": "Allow",
                "Principal": config,
                "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
                "Resource": f"arn:{partition}:s3:::{bucket}",
                "Condition": this_account,
            },
            {
                "Sid": "ConfigDelivery",
                "Effect": "Allow",
                "Principal": config,
                "Action": "s3:PutObject",
                "Resource": f"arn:{partition}:s3:::{bucket}/{CONFIG_PREFIX}/AWSLogs/{account_id}/Config/*",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account_id, "s3:x-amz-acl": "bucket-owner-full-control"}
                },
            },
        ]
    return policy_document(*statements, deny_insecure_transport(bucket, partition))


def security_key_policy(account_id: str, services: set[str], trail: str | None, partition: str = "aws") -> str:
    """The account administers the key; the services that write or deliver with it may use it.

    CloudTrail gets only what it needs, and only for this trail; EventBridge
    needs the key to publish to the encrypted alerts topic.
    """
    users = ["events.amazonaws.com"] + (["guardduty.amazonaws.com"] if "guardduty" in services else [])
    policy = json.loads(key_policy(account_id, users, partition=partition))
    if trail:
        cloudtrail = {"Service": "cloudtrail.amazonaws.com"}
        policy["Statement"] += [
            {
                "Sid": "CloudTrailEncryptLogs",
                "Effect": "Allow",
                "Principal": cloudtrail,
                "Action": "kms:GenerateDataKey*",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:SourceArn": trail},
                    "StringLike": {
                        "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:{partition}:cloudtrail:*:{account_id}:trail/*"
                    },
                },
            },
            {
                "Sid": "CloudTrailDescribeKey",
                "Effect": "Allow",
                "Principal": cloudtrail,
                "Action": "kms:DescribeKey",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceArn": trail}},
            },
        ]
    return json.dumps(policy, sort_keys=True)


def config_delivery_policy(bucket: str, account_id: str, key_arn: str, partition: str = "aws") -> str:
    """What the Config role needs beyond AWS_ConfigRole: deliver to its prefix, encrypted with the key."""
    return policy_document(
        {
            "Effect": "Allow",
            "Action": "s3:PutObject",
            "Resource": f"arn:{partition}:s3:::{bucket}/{CONFIG_PREFIX}/AWSLogs/{account_id}/*",
            "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}},
        },
        {"Effect": "Allow", "Action": "s3:GetBucketAcl", "Resource": f"arn:{partition}:s3:::{bucket}"},
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": key_arn},
    )
