"""AWS Backup vault access policies, which moto 5.2.1 lacks.

PutBackupVaultAccessPolicy, GetBackupVaultAccessPolicy and
DeleteBackupVaultAccessPolicy, faithful to the botocore model: a missing vault
is ResourceNotFoundException, and so is reading the policy of a vault that has
none; a policy that is not a JSON policy document (an object with a Statement)
is InvalidParameterValueException, as AWS answers. Deleting the vault forgets
its policy. State lives on moto's BackupBackend, so moto's reset clears it.
moto does not evaluate the policy: verify checks it is in place.
"""

from __future__ import annotations

import json
from typing import Any

from moto.backup import urls
from moto.backup.exceptions import InvalidParameterValueException, ResourceNotFoundException
from moto.backup.models import BackupBackend
from moto.backup.responses import BackupResponse

ROUTE = "{0}/backup-vaults/(?P<backupVaultName>[^/]+)/access-policy$"


def _policies(backend: BackupBackend) -> dict[str, str]:
    return backend.__dict__.setdefault("_gap_access_policies", {})


def put_backup_vault_access_policy(self: BackupBackend, backup_vault_name: str, policy: str | None) -> None:
    self.describe_backup_vault(backup_vault_name)
    try:
        document = json.loads(policy or "")
    except ValueError:
        document = None
    if not isinstance(document, dict) or not isinstance(document.get("Statement"), (list, dict)):
        raise InvalidParameterValueException(msg="Invalid policy document: it must be a JSON policy with a Statement")
    _policies(self)[backup_vault_name] = policy


def get_backup_vault_access_policy(self: BackupBackend, backup_vault_name: str) -> dict[str, Any]:
    vault = self.describe_backup_vault(backup_vault_name)
    policy = _policies(self).get(backup_vault_name)
    if policy is None:
        raise ResourceNotFoundException(msg=f"Backup vault {backup_vault_name} has no access policy")
    return {"BackupVaultName": vault.backup_vault_name, "BackupVaultArn": vault.backup_vault_arn, "Policy": policy}


def delete_backup_vault_access_policy(self: BackupBackend, backup_vault_name: str) -> None:
    self.describe_backup_vault(backup_vault_name)
    _policies(self).pop(backup_vault_name, None)


def _forget_on_vault_delete(original):
    def delete_backup_vault(self: BackupBackend, backup_vault_name: str) -> None:
        original(self, backup_vault_name)
        _policies(self).pop(backup_vault_name, None)

    delete_backup_vault.access_policy_gap = True
    return delete_backup_vault


def access_policy_response(self: BackupResponse) -> str:
    # One route, three methods: moto dispatches on the URL only, so pick the operation by method.
    name = self._get_param("backupVaultName")
    if self.method == "PUT":
        body = json.loads(self.body) if self.body else {}
        self.backup_backend.put_backup_vault_access_policy(name, body.get("Policy"))
        return "{}"
    if self.method == "DELETE":
        self.backup_backend.delete_backup_vault_access_policy(name)
        return "{}"
    return json.dumps(self.backup_backend.get_backup_vault_access_policy(name))


def install() -> None:
    for method in (put_backup_vault_access_policy, get_backup_vault_access_policy, delete_backup_vault_access_policy):
        setattr(BackupBackend, method.__name__, method)
    for operation in ("put_backup_vault_access_policy", "get_backup_vault_access_policy",
                      "delete_backup_vault_access_policy"):
        setattr(BackupResponse, operation, access_policy_response)
    if not getattr(BackupBackend.delete_backup_vault, "access_policy_gap", False):
        BackupBackend.delete_backup_vault = _forget_on_vault_delete(BackupBackend.delete_backup_vault)
    urls.url_paths.setdefault(ROUTE, BackupResponse.dispatch)
