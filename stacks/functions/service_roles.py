"""Trust documents for roles that AWS services assume on this account's behalf."""

from __future__ import annotations

import json


def service_trust_policy(service: str, account_id: str) -> str:
    """`service` (e.g. "vpc-flow-logs.amazonaws.com") may assume the role, only
    when acting for `account_id` (no confused deputy)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                }
            ],
        },
        sort_keys=True,
    )
