"""Recovery points and what a vault lock does to them, which moto 5.2.1 does not model.

A completed backup job (gaps.backup_jobs) leaves a recovery point in its
vault. As on AWS:
- ListRecoveryPointsByBackupVault lists them; NumberOfRecoveryPoints counts them;
- DeleteRecoveryPoint is asynchronous: the point is DELETING for the next
  listing, then gone;
- in a locked vault, a point younger than MinRetentionDays cannot be deleted
  (InvalidRequestException), whatever the caller's permissions;
- a vault that still holds recovery points cannot be deleted
  (InvalidRequestException).
moto already enforces the lock's own rules (ChangeableForDays of at least 3,
MinRetentionDays of at least 1, no change after the grace time).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from moto.backup import urls
from moto.backup.exceptions import InvalidRequestException, ResourceNotFoundException
from moto.backup.models import BackupBackend, Vault
from moto.backup.responses import BackupResponse
from moto.core.utils import unix_time

DAY = 24 * 60 * 60


def points(vault: Vault) -> dict[str, dict[str, Any]]:
    return vault.__dict__.setdefault("gap_recovery_points", {})


def add_recovery_point(vault: Vault, arn: str, resource_arn: str, resource_type: str, role_arn: str) -> None:
    points(vault)[arn] = {
        "RecoveryPointArn": arn,
        "BackupVaultName": vault.backup_vault_name,
        "BackupVaultArn": vault.backup_vault_arn,
        "ResourceArn": resource_arn,
        "ResourceType": resource_type,
        "IamRoleArn": role_arn,
        "Status": "COMPLETED",
        "CreationDate": unix_time(),
    }
    vault.num_of_recovery_points = len(points(vault))


def _settle(vault: Vault) -> None:
    """Deletions already seen DELETING are done."""
    for arn, point in list(points(vault).items()):
        if point.get("gap_seen"):
            del points(vault)[arn]
    vault.num_of_recovery_points = len(points(vault))


def delete_recovery_point(backend: BackupBackend, vault_name: str, arn: str) -> None:
    vault = backend.describe_backup_vault(vault_name)
    point = points(vault).get(arn)
    if point is None:
        raise ResourceNotFoundException(msg=f"Recovery point {arn} not found")
    if vault.locked and vault.min_retention_days:
        earliest = point["CreationDate"] + vault.min_retention_days * DAY
        if unix_time() < earliest:
            raise InvalidRequestException(
                msg=f"Recovery point {arn} is protected by the vault lock of {vault_name} until its minimum "
                f"retention of {vault.min_retention_days} days has passed"
            )
    point["Status"] = "DELETING"


def _guard_delete_vault(original):
    def delete_backup_vault(self: BackupBackend, backup_vault_name: str) -> None:
        vault = self.vaults.get(backup_vault_name)
        if vault is not None:
            _settle(vault)
        if vault is not None and points(vault):
            raise InvalidRequestException(
                msg=f"Backup vault {backup_vault_name} cannot be deleted because it contains recovery points"
            )
        return original(self, backup_vault_name)

    delete_backup_vault.gap_fill_points = True
    delete_backup_vault.gap_fill = True  # gaps.backup's own wrapper is inside
    return delete_backup_vault


def _vault_name(self: BackupResponse) -> str:
    return unquote(self.path.split("/backup-vaults/", 1)[1].split("/", 1)[0])


def _list_recovery_points(self: BackupResponse) -> str:
    vault = self.backup_backend.describe_backup_vault(_vault_name(self))
    _settle(vault)
    listed = [{k: v for k, v in p.items() if k != "gap_seen"} for p in points(vault).values()]
    for point in points(vault).values():
        point["gap_seen"] = point["Status"] == "DELETING"
    return json.dumps({"RecoveryPoints": listed})


def _delete_recovery_point(self: BackupResponse) -> str:
    arn = unquote(self.path.split("/recovery-points/", 1)[1])
    delete_recovery_point(self.backup_backend, _vault_name(self), arn)
    return "{}"


URL_PATHS = {
    "{0}/backup-vaults/(?P<backupVaultName>[^/]+)/recovery-points/?$": BackupResponse.dispatch,
    "{0}/backup-vaults/(?P<backupVaultName>[^/]+)/recovery-points/(?P<recoveryPointArn>.+)$": BackupResponse.dispatch,
}


def install() -> None:
    """Add the recovery-point operations; guard vault deletion."""
    urls.url_paths.update(URL_PATHS)
    BackupResponse.list_recovery_points_by_backup_vault = _list_recovery_points
    BackupResponse.delete_recovery_point = _delete_recovery_point
    if not getattr(BackupBackend.delete_backup_vault, "gap_fill_points", False):
        BackupBackend.delete_backup_vault = _guard_delete_vault(BackupBackend.delete_backup_vault)
