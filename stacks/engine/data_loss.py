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

    def describe(self) -> str:
        return f"{self.what} holds {self.count} {self.unit}"


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
    from provision.stacks.providers.s3_bucket import count_versions

    region = outputs.get("region") or None
    try:
        if "bucket_name" in outputs:
            name = outputs["bucket_name"]
            return HeldData(f"S3 bucket {name}", count_versions(client("s3", region), name), "object(s)/version(s)")
        if "vault_name" in outputs:
            name = outputs["vault_name"]
            vault = client("backup", region).describe_backup_vault(BackupVaultName=name)
            return HeldData(f"Backup vault {name}", int(vault.get("NumberOfRecoveryPoints", 0)), "recovery point(s)")
    except ClientError as exc:
        if is_not_found(exc):
            return None
        raise
    return None
