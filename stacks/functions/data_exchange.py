"""The data-exchange function (BPO): an encrypted drop zone shared with partners.

From the function's `dataExchange` section:
- a KMS key (rotated) encrypts the drop-zone bucket;
- the drop zone is private (public access blocked, owner-enforced objects),
  versioned, access-logged to its own log bucket, refuses plain HTTP, and
  expires objects (and old versions) after `retentionDays`;
- each partner (`partners`, default the function's provider) owns the prefix
  partners/<name>/ and nothing else;
- each external partner gets a cross-account role (ExternalId required,
  one-hour sessions) limited to its prefix;
- with `sftp: true`, a Transfer Family SFTP server (public endpoint,
  service-managed users, logging) with one user per partner, chrooted to its
  prefix through a role limited to that prefix.
"""

from __future__ import annotations

from typing import Any

import pulumi

from provision.schemas.model import Plan
from provision.stacks.functions.base import FunctionComponent, FunctionContext, physical_name
from provision.stacks.functions.data_exchange_policies import partner_prefix, partner_statements, transfer_logging_policy
from provision.stacks.functions.hosting import LOG_RETENTION_DAYS, log_bucket_policy
from provision.stacks.functions.iam_policies import document, guard_rail_boundary
from provision.stacks.functions.service_roles import service_trust_policy
from provision.stacks.functions.vendor_trust import MAX_SESSION_SECONDS, SECRET_TRUST, vendor_trust_policy
from provision.stacks.providers.iam_role import IamRole
from provision.stacks.providers.kms_key import KmsKey, key_policy
from provision.stacks.providers.s3_bucket import S3Bucket
from provision.stacks.providers.s3_policies import deny_insecure_transport, policy_document
from provision.stacks.providers.transfer_server import TransferServer
from provision.stacks.providers.transfer_user import TransferUser, chroot_mappings

TRANSFER_SERVICE = "transfer.amazonaws.com"


def drop_zone_bucket_name(plan: Plan, function_name: str, account_id: str) -> str:
    """The drop zone's bucket name; deterministic, so peers can name it before it exists."""
    return physical_name(plan, function_name, "drop-zone", account_id, kind="s3-bucket")


def partners_of(ctx: FunctionContext) -> list[str]:
    return sorted(ctx.function.settings.get("partners") or [ctx.function.provider])


def build(ctx: FunctionContext) -> FunctionComponent:
    settings = ctx.function.settings
    fn, account, region, tags = ctx.function.name, ctx.account_id, ctx.region, ctx.tags()
    component = FunctionComponent(ctx.function)
    opts = ctx.resource_opts(component)
    bucket_name = drop_zone_bucket_name(ctx.plan, fn, account)
    log_name = ctx.physical_name("drop-zone-logs", kind="s3-bucket")
    partners = partners_of(ctx)

    key = KmsKey(
        f"{fn}-key",
        description=f"Drop zone of {ctx.plan.name}/{fn}",
        key_policy=key_policy(account, partition=ctx.partition),
        alias=f"alias/{bucket_name}",
        region=region,
        tags=tags,
        opts=opts,
    )
    logs = S3Bucket(
        f"{fn}-logs",
        bucket_name=log_name,
        region=region,
        kms_key_arn=None,  # S3 log delivery cannot write with a customer key
        lifecycle_expiration_days=LOG_RETENTION_DAYS,
        bucket_policy=log_bucket_policy(log_name, account, bucket_name),
        # Log delivery writes here for as long as the drop zone exists; the
        # drop zone itself keeps the guard against deleting partners' files.
        force_destroy=True,
        tags=tags,
        opts=opts,
    )
    bucket = S3Bucket(
        f"{fn}-drop-zone",
        bucket_name=bucket_name,
        region=region,
        kms_key_arn=key.arn,
        versioning=True,
        block_public_access=True,
        object_ownership="BucketOwnerEnforced",
        access_log_bucket=logs.bucket_name,
        lifecycle_expiration_days=int(settings["retentionDays"]),
        bucket_policy=policy_document(deny_insecure_transport(bucket_name)),
        tags=ctx.data_tags(),
        opts=opts,
    )

    partner_roles = _vendor_roles(ctx, partners, bucket_name, key, opts)
    outputs: dict[str, Any] = {
        "bucket_name": bucket.bucket_name,
        "bucket_arn": bucket.arn,
        "log_bucket_name": logs.bucket_name,
        "kms_key_arn": key.arn,
        "partner_prefixes": {p: partner_prefix(p) for p in partners},
        "partner_role_arns": {p: role.arn for p, role in partner_roles.items()},
    }
    if settings.get("sftp", False):
        server = _sftp(ctx, partners, bucket, bucket_name, key, opts)
        outputs.update(server_id=server.server_id, server_arn=server.arn, sftp_endpoint=server.endpoint)
    return component.finish(**outputs)


def _vendor_roles(
    ctx: FunctionContext, partners: list[str], bucket_name: str, key: KmsKey, opts: pulumi.ResourceOptions
) -> dict[str, IamRole]:
    """One cross-account role per external partner, limited to its prefix."""
    roles = {}
    for partner in partners:
        provider = ctx.plan.providers[partner]
        if not provider.external:
            continue  # the organisation's own cloud account needs no vendor role
        statements = key.arn.apply(lambda arn, p=partner: partner_statements(bucket_name, p, arn))
        roles[partner] = IamRole(
            f"{ctx.function.name}-partner-{partner}",
            role_name=ctx.physical_name(f"partner-{partner}", kind="iam-role"),
            assume_role_policy=vendor_trust_policy(provider, ctx.external_ids.get(provider.name)),
            description=f"{partner} exchanges files under {partner_prefix(partner)} of {ctx.plan.name}/{ctx.function.name}",
            max_session_duration=MAX_SESSION_SECONDS,
            permissions_boundary=statements.apply(guard_rail_boundary),
            inline_policies={"drop-zone": statements.apply(document)},
            tags=ctx.tags(**{"provision:partner": partner}),
            opts=pulumi.ResourceOptions.merge(opts, SECRET_TRUST),
        )
    return roles


def _sftp(
    ctx: FunctionContext,
    partners: list[str],
    bucket: S3Bucket,
    bucket_name: str,
    key: KmsKey,
    opts: pulumi.ResourceOptions,
) -> TransferServer:
    fn, account, tags = ctx.function.name, ctx.account_id, ctx.tags()
    logging_role = IamRole(
        f"{fn}-sftp-logging",
        role_name=ctx.physical_name("sftp-logging", kind="iam-role"),
        assume_role_policy=service_trust_policy(TRANSFER_SERVICE, account),
        description=f"Transfer Family writes the SFTP logs of {ctx.plan.name}/{fn}",
        inline_policies={"logs": transfer_logging_policy(ctx.region, account)},
        tags=tags,
        opts=opts,
    )
    server = TransferServer(
        f"{fn}-sftp",
        protocols=["SFTP"],
        identity_provider_type="SERVICE_MANAGED",
        endpoint_type="PUBLIC",
        logging_role=logging_role.arn,
        tags=tags,
        opts=opts,
    )
    for partner in partners:
        statements = key.arn.apply(lambda arn, p=partner: partner_statements(bucket_name, p, arn))
        user_role = IamRole(
            f"{fn}-sftp-{partner}",
            role_name=ctx.physical_name(f"sftp-{partner}", kind="iam-role"),
            assume_role_policy=service_trust_policy(TRANSFER_SERVICE, account),
            description=f"SFTP user {partner} of {ctx.plan.name}/{fn}: {partner_prefix(partner)} only",
            permissions_boundary=statements.apply(guard_rail_boundary),
            inline_policies={"drop-zone": statements.apply(document)},
            tags=ctx.tags(**{"provision:partner": partner}),
            opts=opts,
        )
        TransferUser(
            f"{fn}-sftp-user-{partner}",
            server_id=server.server_id,
            user_name=partner,
            role=user_role.arn,
            home_directory_mappings=bucket.bucket_name.apply(lambda b, p=partner: chroot_mappings(b, partner_prefix(p))),
            tags=ctx.tags(**{"provision:partner": partner}),
            opts=opts,
        )
    return server

