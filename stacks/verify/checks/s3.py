"""S3 buckets: KMS default encryption, public access blocked, versioning, TLS only.

SSE-S3 (AES256) is accepted only for a bucket that receives another
bucket's server access logs: S3 log delivery cannot write with a
customer-managed key.
"""

from __future__ import annotations

import json
from typing import Any, Iterator, Mapping

from botocore.exceptions import ClientError

from provision.stacks.providers.base import error_code
from provision.stacks.providers.s3_bucket import PUBLIC_ACCESS_SETTINGS, UNSET_CODES
from provision.stacks.verify.model import LiveResource, Outcome, VerifyContext, check, fail, ok

KMS_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse"})


def unless_unset(fn, **kwargs) -> dict[str, Any] | None:
    """A GET of a bucket sub-setting; None when the bucket has none."""
    try:
        return fn(**kwargs)
    except ClientError as exc:
        if error_code(exc) in UNSET_CODES:
            return None
        raise


def log_targets(ctx: VerifyContext) -> set[str]:
    """Buckets the program makes receive other buckets' access logs."""
    return {str(b.outputs["access_log_bucket"]) for b in ctx.of_kind("S3Bucket") if b.outputs.get("access_log_bucket")}


@check("s3.encryption")
def encryption(res: LiveResource, ctx: VerifyContext) -> Iterator[Outcome]:
    """Default encryption is aws:kms with a key (the program's key when it names one)."""
    answer = unless_unset(ctx.client("s3", res).get_bucket_encryption, Bucket=res.id)
    rules = (answer or {}).get("ServerSideEncryptionConfiguration", {}).get("Rules") or [{}]
    default = rules[0].get("ApplyServerSideEncryptionByDefault") or {}
    algorithm, key = default.get("SSEAlgorithm"), default.get("KMSMasterKeyID")
    wanted_key = res.outputs.get("kms_key_arn")
    if algorithm in KMS_ALGORITHMS and key:
        if wanted_key and key != wanted_key:
            yield fail(f"{algorithm} with key {key}, not the plan's key {wanted_key}")
        else:
            yield ok(f"{algorithm} with key {key}")
    elif algorithm == "AES256" and res.id in log_targets(ctx):
        yield ok("SSE-S3 (AES256): access-log target bucket, which S3 log delivery can only write with SSE-S3")
    elif algorithm == "AES256":
        yield fail("default encryption is SSE-S3 (AES256), not aws:kms with a key")
    elif algorithm:
        yield fail(f"default encryption is {algorithm} without a key (the AWS managed key), not a customer key")
    else:
        yield fail("no default encryption configured")


@check("s3.public-access-block")
def public_access_block(res: LiveResource, ctx: VerifyContext) -> Iterator[Outcome]:
    """All four public access block settings are on."""
    answer = unless_unset(ctx.client("s3", res).get_public_access_block, Bucket=res.id)
    settings = (answer or {}).get("PublicAccessBlockConfiguration") or {}
    off = [name for name in PUBLIC_ACCESS_SETTINGS if not settings.get(name)]
    if answer is None:
        yield fail("no public access block configured")
    elif off:
        yield fail(f"public access block settings off: {', '.join(off)}")
    else:
        yield ok("all four public access block settings on")


@check("s3.versioning")
def versioning(res: LiveResource, ctx: VerifyContext) -> Iterator[Outcome]:
    """Versioning is Enabled on the buckets the program versions."""
    if not res.outputs.get("versioning"):
        return
    status = ctx.client("s3", res).get_bucket_versioning(Bucket=res.id).get("Status")
    if status == "Enabled":
        yield ok("versioning enabled")
    else:
        yield fail(f"versioning is {status or 'off (never enabled)'}, the program enables it")


def denies_plain_http(statement: Mapping[str, Any], bucket: str) -> bool:
    """True for a Deny of every S3 action, by anyone, on the bucket and its objects, without TLS."""
    if statement.get("Effect") != "Deny":
        return False
    actions = _as_list(statement.get("Action"))
    principal = statement.get("Principal")
    resources = set(_as_list(statement.get("Resource")))
    condition = (statement.get("Condition") or {}).get("Bool") or {}
    insecure = str(condition.get("aws:SecureTransport", "")).lower() == "false"
    everyone = principal == "*" or principal == {"AWS": "*"}
    whole_bucket = {f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"} <= resources
    return insecure and everyone and whole_bucket and bool({"s3:*", "*"} & set(actions))


@check("s3.tls-only")
def tls_only(res: LiveResource, ctx: VerifyContext) -> Iterator[Outcome]:
    """The bucket policy denies every request that does not use TLS."""
    answer = unless_unset(ctx.client("s3", res).get_bucket_policy, Bucket=res.id)
    if answer is None:
        yield fail("no bucket policy, so plain-HTTP requests are not denied")
        return
    statements = _as_list(json.loads(answer["Policy"]).get("Statement"))
    if any(denies_plain_http(s, res.id) for s in statements):
        yield ok("bucket policy denies requests without TLS (aws:SecureTransport false)")
    else:
        yield fail("bucket policy has no statement denying requests without TLS on the bucket and its objects")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]
