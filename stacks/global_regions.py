"""Regions AWS serves a global service from, which a plan touches whatever its home region.

What provision keeps there is metadata, never the plan's data: alarms on
CloudFront's metrics with the on-call topic and key they notify (alarm states,
thresholds, metric values), and AWS Budgets (spend amounts, alert addresses).
Imported by validate: no pulumi or boto3 here.
"""

from __future__ import annotations

# CloudFront publishes its metrics in us-east-1 only: alarms on them must live there.
CLOUDFRONT_METRICS_REGION = "us-east-1"
# The AWS Budgets API is served from us-east-1 only.
BUDGETS_REGION = "us-east-1"
