"""Which checks run for which kind of resource: each provider names its kind's checks
(VERIFY_CHECKS, by check id); this module lists the checks there are.

A kind naming none (a backup selection, a dashboard) has no property to
audit beyond its existence in the state.
"""

from __future__ import annotations

from provision.stacks.verify import declared
from provision.stacks.verify.checks import backup, backup_plan, detection, encryption, network, s3, vendor_roles
from provision.stacks.verify.checks.tags import required_tags
from provision.stacks.verify.model import CheckFn

# Every check a kind may name, in the order check_ids() lists them.
CATALOGUE: tuple[CheckFn, ...] = (
    s3.encryption,
    s3.public_access_block,
    s3.versioning,
    s3.tls_only,
    required_tags,
    encryption.key_rotation,
    encryption.topic_encryption,
    encryption.log_group_encryption,
    detection.trail_logging,
    detection.trail_log_validation,
    detection.trail_multi_region,
    detection.trail_kms,
    detection.detector_enabled,
    detection.hub_enabled,
    detection.hub_standards,
    detection.recorder_recording,
    backup.vault_key,
    backup.vault_lock,
    backup.vault_guard,
    vendor_roles.vendor_trust,
    vendor_roles.session_duration,
    vendor_roles.permissions_boundary,
    vendor_roles.least_privilege,
    backup_plan.schedule,
    backup_plan.retention,
    backup_plan.copy,
    network.flow_log_retention,
)
BY_ID: dict[str, CheckFn] = {fn.check_id: fn for fn in CATALOGUE}  # type: ignore[attr-defined]

# Kind -> its checks, in the order its provider names them.
CHECKS: dict[str, tuple[CheckFn, ...]] = declared.kind_checks(BY_ID)


def checks_for(kind: str) -> tuple[CheckFn, ...]:
    return CHECKS.get(kind, ())


def check_ids() -> list[str]:
    """Every check id some kind runs, in catalogue order."""
    named = {fn.check_id for checks in CHECKS.values() for fn in checks}  # type: ignore[attr-defined]
    return [check_id for check_id in BY_ID if check_id in named]
