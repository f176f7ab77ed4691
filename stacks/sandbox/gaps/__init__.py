"""Fills for the moto features the sandbox needs but moto 5.2.1 lacks.

Each module patches moto in-process, faithfully to the AWS API shapes, and
exposes `install()`; the sandbox server installs them all at start, and
provider tests install them around `mock_aws`. Product code never sees them:
it talks plain boto3 to whatever endpoint it is given.
"""

from __future__ import annotations

import importlib

# Listed explicitly, in install order.
GAP_MODULES = (
    "backup",  # backup selections, update_backup_plan, vault notifications
    "backup_jobs",  # backup jobs: S3 buckets must be versioned
    "backup_recovery_points",  # recovery points, vault lock minimum retention
    "backup_access",  # vault access policies
    "guardduty",  # publishing destinations
    "guardduty_findings",  # sample findings, sent to EventBridge
    "securityhub",  # batch_enable_standards, get_enabled_standards
    "securityhub_findings",  # imported findings, sent to EventBridge
    "logs",  # associate_kms_key
    "events",  # put_events to SNS targets, with topic and key policies
    "s3_policies",  # bucket-policy conditions (aws:SecureTransport)
    "transfer",  # update_server/update_user, tags, AWS not-found errors
    "budgets",  # update_budget, subscribers, tags
    "zones",  # CreateSubnet only in the region's own zones
    "service_roles",  # services assume only trusted, propagated roles (after transfer)
    "kms_keys",  # signing key pairs made on first use, not for every key
    "iam_accounts",  # an access key's account found without making IAM backends
    "backend_reset",  # a reset drops backends without re-creating each one first
    "dispatch",  # a request routed without listing moto's package directory
)

_installed = False


def install() -> None:
    """Install every gap fill once; later calls do nothing."""
    global _installed
    if _installed:
        return
    for name in GAP_MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        module.install()
    _installed = True
