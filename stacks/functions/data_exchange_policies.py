"""Policy statements of the data-exchange function: each partner reaches its own prefix only."""

from __future__ import annotations

from provision.stacks.functions.iam_policies import Statement, document, statement

PARTNERS_ROOT = "partners"
# What a partner does with its prefix: drop files and fetch files (expiry does the deleting).
PARTNER_OBJECT_ACTIONS = ("s3:GetObject", "s3:PutObject")
# SSE-KMS needs the key both ways.
KEY_ACTIONS = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey")
TRANSFER_LOG_ACTIONS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents")


def partner_prefix(partner: str) -> str:
    """The key prefix of one partner, e.g. "partners/claimsco/"."""
    return f"{PARTNERS_ROOT}/{partner}/"


def partner_statements(bucket: str, partner: str, key_arn: str) -> list[Statement]:
    """Read and write objects under the partner's prefix, list only that prefix, use the bucket's key through S3."""
    prefix = partner_prefix(partner)
    region = key_arn.split(":")[3]
    return [
        statement("PartnerObjects", PARTNER_OBJECT_ACTIONS, [f"arn:aws:s3:::{bucket}/{prefix}*"]),
        statement(
            "PartnerListing",
            ["s3:ListBucket"],
            [f"arn:aws:s3:::{bucket}"],
            {"StringLike": {"s3:prefix": [prefix, f"{prefix}*"]}},
        ),
        statement(
            "BucketKey",
            KEY_ACTIONS,
            [key_arn],
            {
                "StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"},
                "StringLike": {"kms:EncryptionContext:aws:s3:arn": f"arn:aws:s3:::{bucket}*"},
            },
        ),
    ]


def transfer_logging_policy(region: str, account_id: str) -> str:
    """What Transfer Family needs to write its server logs (/aws/transfer/<server id>)."""
    group = f"arn:aws:logs:{region}:{account_id}:log-group:/aws/transfer/*"
    return document([statement("TransferLogs", TRANSFER_LOG_ACTIONS, [group, f"{group}:log-stream:*"])])
