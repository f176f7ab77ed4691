"""Bucket policy documents: the statements provision puts on its buckets."""

from __future__ import annotations

import json
from typing import Any, Mapping, Sequence


def policy_document(*statements: Mapping[str, Any]) -> str:
    """A bucket policy (JSON) from its statements."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, sort_keys=True)


def deny_insecure_transport(bucket: str, partition: str = "aws") -> dict[str, Any]:
    """Refuse every request to the bucket and its objects that does not use TLS."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:{partition}:s3:::{bucket}", f"arn:{partition}:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def log_delivery_statement(
    log_bucket: str, account_id: str, source_buckets: Sequence[str], prefix: str = "", partition: str = "aws"
) -> dict[str, Any]:
    """Let S3 server access logging write into `log_bucket`, only for this
    account's `source_buckets` (names)."""
    sources = [f"arn:{partition}:s3:::{b}" for b in sorted(source_buckets)]
    return {
        "Sid": "S3ServerAccessLogsPolicy",
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": f"arn:{partition}:s3:::{log_bucket}/{prefix}*",
        "Condition": {
            "StringEquals": {"aws:SourceAccount": account_id},
            "ArnLike": {"aws:SourceArn": sources[0] if len(sources) == 1 else sources},
        },
    }
