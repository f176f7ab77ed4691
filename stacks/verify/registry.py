"""Which checks run for which kind of resource, listed explicitly.

A kind missing here (a backup selection, a dashboard) has no property to
audit beyond its existence in the state.
"""

from __future__ import annotations

from provision.stacks.verify.checks import backup, backup_plan, detection, encryption, network, s3, vendor_roles
from provision.stacks.verify.checks.tags import required_tags
from provision.stacks.verify.model import CheckFn

CHECKS: dict[str, tuple[CheckFn, ...]] = {
    "S3Bucket": (s3.encryption, s3.public_access_block, s3.versioning, s3.tls_only, required_tags),
    "KmsKey": (encryption.key_rotation, required_tags),
    "SnsTopic": (encryption.topic_encryption, required_tags),
    "LogGroup": (encryption.log_group_encryption, required_tags),
    "CloudTrailTrail": (
        detection.trail_logging,
        detection.trail_log_validation,
        detection.trail_multi_region,
        detection.trail_kms,
        required_tags,
    ),
    "GuardDutyDetector": (detection.detector_enabled, required_tags),
    "SecurityHubAccount": (detection.hub_enabled, detection.hub_standards, required_tags),
    "ConfigRecorder": (detection.recorder_recording, required_tags),
    "BackupVault": (backup.vault_key, backup.vault_lock, backup.vault_guard, required_tags),
    "IamRole": (
        vendor_roles.vendor_trust,
        vendor_roles.session_duration,
        vendor_roles.permissions_boundary,
        vendor_roles.least_privilege,
        required_tags,
    ),
    "BackupPlan": (backup_plan.schedule, backup_plan.retention, backup_plan.copy, required_tags),
    "FlowLog": (network.flow_log_retention, required_tags),
    # Kinds whose only audited property is their tags.
    "Budget": (required_tags,),
    "CloudFrontDistribution": (required_tags,),
    "CloudWatchAlarm": (required_tags,),
    "EventBridgeRule": (required_tags,),
    "TransferServer": (required_tags,),
    "TransferUser": (required_tags,),
    "Vpc": (required_tags,),
    "Subnet": (required_tags,),
    "InternetGateway": (required_tags,),
    "RouteTable": (required_tags,),
    "NatGateway": (required_tags,),
}


def checks_for(kind: str) -> tuple[CheckFn, ...]:
    return CHECKS.get(kind, ())


def check_ids() -> list[str]:
    """Every check id, in registry order."""
    seen: dict[str, None] = {}
    for checks in CHECKS.values():
        for fn in checks:
            seen.setdefault(fn.check_id, None)  # type: ignore[attr-defined]
    return list(seen)
