"""Backup vaults: encrypted with the plan's key; locked when the function is immutable; recovery
points guarded by the vault access policy."""

from __future__ import annotations

import json
from typing import Iterator

from botocore.exceptions import ClientError

from provision.stacks.verify.model import LiveResource, Outcome, VerifyContext, check, fail, ok


def _vault(res: LiveResource, ctx: VerifyContext) -> dict:
    return ctx.client("backup", res).describe_backup_vault(BackupVaultName=res.id)


@check("backup.vault-key")
def vault_key(res: LiveResource, ctx: VerifyContext) -> Iterator[Outcome]:
    """The vault encrypts recovery points with the plan's own KMS key."""
    live, wanted = _vault(res, ctx).get("EncryptionKeyArn"), res.outputs.get("kms_key_arn")
    if not wanted:
        yield fail(f"the plan gives the vault no key of its own; it uses {live or 'the AWS default key'}")
    elif live != wanted:
        yield fail(f"encrypted with {live or 'the AWS default key'}, not the plan's key {wanted}")
    else:
        yield ok(f"encrypted with the plan's key {wanted}")


@check("backup.vault-lock")
def vault_lock(res: LiveResource, ctx: VerifyContext) -> Iterator[Outcome]:
    """An immutable backup's vault is locked, in compliance mode, for at least the retention."""
    function = ctx.plan.functions.get(res.function or "")
    if function is None or not function.settings.get("immutable", False):
        return
    retention = int(function.settings["retentionDays"])
    vault = _vault(res, ctx)
    minimum = vault.get("MinRetentionDays")
    if not vault.get("Locked"):
        yield fail(f"not locked, but backup '{function.name}' is immutable (retention {retention} days)")
    elif minimum != retention:
        yield fail(f"locked with a minimum retention of {minimum} days, the plan's retention is {retention} days")
    elif not vault.get("LockDate"):
        yield fail(f"locked for {minimum} days in governance mode only: privileged users can still remove the lock")
    else:
        yield ok(f"locked in compliance mode (unchangeable from {vault['LockDate']:%Y-%m-%d}), minimum retention {minimum} days")


GUARDED = {"backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"}


@check("backup.vault-guard")
def vault_guard(res: LiveResource, ctx: VerifyContext) -> Iterator[Outcome]:
    """The vault access policy denies deleting or shortening recovery points to all but the deployer."""
    try:
        policy = ctx.client("backup", res).get_backup_vault_access_policy(BackupVaultName=res.id)["Policy"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
        yield fail("no vault access policy: anyone allowed backup:DeleteRecoveryPoint can delete the backups")
        return
    statements = json.loads(policy).get("Statement", [])
    for statement in statements if isinstance(statements, list) else [statements]:
        actions = statement.get("Action", [])
        actions = {actions} if isinstance(actions, str) else set(actions)
        everyone = statement.get("Principal") in ("*", {"AWS": "*"})
        if statement.get("Effect") == "Deny" and everyone and GUARDED <= actions and statement.get("Resource") == "*":
            excepted = statement.get("Condition", {}).get("ArnNotLike", {}).get("aws:PrincipalArn", [])
            yield ok(f"recovery points can be deleted only by {', '.join(excepted) if excepted else 'nobody'}")
            return
    yield fail("the vault access policy does not deny " + " and ".join(sorted(GUARDED)) + " to every other principal")
