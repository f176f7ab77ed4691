"""The vault access policy that keeps recovery points from everyone but the deployer.

Vault Lock alone leaves a gap: during its grace period (3 days) an
administrator can remove it, and an unlocked vault has no protection at all.
The access policy denies backup:DeleteRecoveryPoint and
backup:UpdateRecoveryPointLifecycle to every principal except the one
provision deploys with, so vendors and other administrators cannot delete
backups, while `destroy --force-delete-data` (run by the deployer) still can.
"""

from __future__ import annotations

import json
import re

from botocore.exceptions import ClientError

from provision.stacks.providers.base import ProviderError, aws_call, client, error_code, is_not_found

SID = "OnlyTheDeployerDeletesRecoveryPoints"
GUARDED_ACTIONS = ("backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle")
_ASSUMED_ROLE = re.compile(r"^arn:(?P<partition>[^:]+):sts::(?P<account>\d{12}):assumed-role/(?P<role>[^/]+)/.+$")


def deployer_patterns(caller_arn: str) -> list[str]:
    """The aws:PrincipalArn values of the caller: a session of a role becomes the role (at any path)."""
    match = _ASSUMED_ROLE.match(caller_arn)
    if match:
        base = f"arn:{match['partition']}:iam::{match['account']}:role"
        return [f"{base}/{match['role']}", f"{base}/*/{match['role']}"]
    if ":federated-user/" in caller_arn:
        return [caller_arn]  # a federated user's aws:PrincipalArn is its STS ARN
    # Users and root are IAM ARNs (moto's GetCallerIdentity spells a user arn:aws:sts::...).
    return [caller_arn.replace(":sts::", ":iam::", 1)]


def guard_policy(caller_arn: str) -> str:
    """The vault access policy for a vault deployed by `caller_arn`."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": SID,
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": list(GUARDED_ACTIONS),
            "Resource": "*",
            "Condition": {"ArnNotLike": {"aws:PrincipalArn": deployer_patterns(caller_arn)}},
        }],
    }, sort_keys=True)


def caller_arn(region: str | None) -> str:
    return aws_call("STS: GetCallerIdentity", client("sts", region).get_caller_identity)["Arn"]


def set_guard(backup, name: str, region: str | None, on: bool) -> None:
    """Put the policy (on) or remove it (off)."""
    what = f"Backup vault {name}"
    if on:
        aws_call(f"{what}: PutBackupVaultAccessPolicy", backup.put_backup_vault_access_policy,
                 BackupVaultName=name, Policy=guard_policy(caller_arn(region)))
        return
    try:
        backup.delete_backup_vault_access_policy(BackupVaultName=name)
    except ClientError as exc:
        if not is_not_found(exc):
            raise ProviderError(f"{what}: DeleteBackupVaultAccessPolicy: {error_code(exc)}") from exc


def guarded(backup, name: str) -> bool:
    """True when the vault's access policy still denies recovery-point deletion as guard_policy does."""
    try:
        policy = backup.get_backup_vault_access_policy(BackupVaultName=name).get("Policy") or "{}"
    except ClientError as exc:
        if is_not_found(exc):  # AWS answers ResourceNotFoundException for a vault without a policy
            return False
        raise ProviderError(f"Backup vault {name}: GetBackupVaultAccessPolicy: {error_code(exc)}") from exc
    statements = json.loads(policy).get("Statement", [])
    for statement in statements if isinstance(statements, list) else [statements]:
        if (statement.get("Sid") == SID and statement.get("Effect") == "Deny"
                and set(GUARDED_ACTIONS) <= set(statement.get("Action", []))):
            return True
    return False
