"""What a destroy would delete with the resources: objects in buckets, recovery points in backup vaults.

`provision destroy` counts them before it deletes anything and refuses while
any is held, unless the user passed --force-delete-data; then FORCE_ENV in
the engine's environment tells the providers' deletes to empty what they
delete (providers refuse on their own too, as a last line: see
providers.base.refuse_data_loss). The check reads the state's resources, so
it sees exactly what the destroy would delete.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from botocore.exceptions import ClientError

from provision.stacks.providers.base import FORCE_DELETE_DATA_ENV, is_not_found

# Set in the engine's environment by `destroy --force-delete-data`.
FORCE_ENV = FORCE_DELETE_DATA_ENV

ClientFactory = Callable[[str, "str | None"], Any]  # (service, region) -> boto3 client


@dataclass(frozen=True)
class HeldData:
    what: str  # "S3 bucket site-1"
    count: int
    unit: str  # "object(s)/version(s)", "recovery point(s)"
    # A locked vault: AWS refuses to delete its recovery points, and so the vault, before this date.
    locked_until: datetime | None = None

    def describe(self) -> str:
        held = f"{self.what} holds {self.count} {self.unit}"
        if self.locked_until is None:
            return held
        return f"{held}, locked: AWS keeps them until {self.locked_until:%Y-%m-%d}, the earliest the vault can be deleted"


def keys_pending_deletion(deployment: dict[str, Any] | None, client: ClientFactory) -> list[str]:
    """For each KMS key of the deployment now scheduled for deletion: when KMS really deletes it.

    Deleting a key only schedules it; until that date it can be restored (CancelKeyDeletion),
    and data encrypted with it can still be read.
    """
    lines = []
    for resource in (deployment or {}).get("resources") or []:
        outputs = resource.get("outputs") or {}
        if not resource.get("custom") or not isinstance(outputs.get("key_id"), str):
            continue
        try:
            meta = client("kms", outputs.get("region") or None).describe_key(KeyId=outputs["key_id"])["KeyMetadata"]
        except ClientError as exc:
            if is_not_found(exc):
                continue
            raise
        if meta.get("DeletionDate"):
            name = outputs.get("alias") or outputs["key_id"]
            lines.append(
                f"KMS key {outputs['key_id']} ({name}) is deleted on {meta['DeletionDate']:%Y-%m-%d}; until then "
                f"`aws kms cancel-key-deletion --key-id {outputs['key_id']}` restores it."
            )
    return lines


def data_at_risk(deployment: dict[str, Any] | None, client: ClientFactory) -> list[HeldData]:
    """Data held by the deployment's buckets and vaults (resources already gone are skipped).

    The same on every target. Buckets the program deletes with their content
    (`force_destroy`, e.g. access-log buckets that S3 fills for as long as the
    site exists) are not the user's decision, so they are left out.
    """
    resources = [
        r for r in (deployment or {}).get("resources") or []
        if r.get("custom") and not r.get("type", "").startswith("pulumi:") and not r.get("delete")
    ]
    held = []
    for resource in resources:
        outputs = resource.get("outputs") or {}
        if outputs.get("bucket_name") and outputs.get("force_destroy"):
            continue
        found = _held(outputs, client)
        if found is not None and found.count:
            held.append(found)
    return held


def _held(outputs: dict[str, Any], client: ClientFactory) -> HeldData | None:
    from provision.stacks.providers.backup_vault import retained_until
    from provision.stacks.providers.s3_bucket import count_versions

    region = outputs.get("region") or None
    try:
        if "bucket_name" in outputs:
            name = outputs["bucket_name"]
            return HeldData(f"S3 bucket {name}", count_versions(client("s3", region), name), "object(s)/version(s)")
        if "vault_name" in outputs:
            name = outputs["vault_name"]
            backup = client("backup", region)
            vault = backup.describe_backup_vault(BackupVaultName=name)
            held = int(vault.get("NumberOfRecoveryPoints", 0))
            until = retained_until(backup, name, vault) if held else None
            if until is not None and until <= datetime.now(timezone.utc):
                until = None
            return HeldData(f"Backup vault {name}", held, "recovery point(s)", until)
    except ClientError as exc:
        if is_not_found(exc):
            return None
        raise
    return None
