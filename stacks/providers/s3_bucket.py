"""An S3 bucket with its guard rails as properties: encryption, public access
block, ownership, versioning, access logging, lifecycle expiry, policy, tags.

Deleting a bucket that still holds objects is refused unless `force_destroy`
is set, and the refusal says how much data would be lost. Creating a bucket
that already exists in the account adopts it only when it carries this
resource's provision:* tags (left by a run killed mid-create); otherwise the
error says what to do.
"""

from __future__ import annotations

from typing import Any, Mapping

import pulumi
import pulumi.dynamic
from botocore.exceptions import ClientError

from provision.stacks.providers.base import (
    AwsResourceProvider,
    CreateResult,
    ProviderError,
    ReadResult,
    UpdateResult,
    aws_call,
    aws_failure,
    client,
    error_code,
    is_not_found,
    refuse_data_loss,
    rollback_on_failure,
    same_json,
    tag_list,
)
from provision.stacks.providers.calls import partition_of
from provision.stacks.providers.tag_sync import NOT_MADE_FOR_THIS, made_for, tags_of

PUBLIC_ACCESS_SETTINGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
LIFECYCLE_RULE_ID = "provision-expiry"
# Error codes S3 answers when a bucket simply has no such sub-setting configured.
UNSET_CODES = frozenset(
    {
        "NoSuchBucketPolicy",
        "NoSuchTagSet",
        "NoSuchPublicAccessBlockConfiguration",
        "ServerSideEncryptionConfigurationNotFoundError",
        "NoSuchLifecycleConfiguration",
        "OwnershipControlsNotFoundError",
    }
)


def _optional(what: str, fn, **kwargs) -> dict[str, Any] | None:
    """A GET of a sub-setting; None when the bucket has none configured."""
    try:
        return fn(**kwargs)
    except ClientError as exc:
        if error_code(exc) in UNSET_CODES:
            return None
        raise aws_failure(what, exc) from exc


def _made_for(s3, name: str, props: Mapping[str, Any]) -> bool:
    """Whether the existing bucket carries every provision:* tag these props give it."""
    answer = _optional(f"S3 bucket {name}: GetBucketTagging", s3.get_bucket_tagging, Bucket=name) or {}
    return made_for(tags_of(answer.get("TagSet")), props.get("tags"))


def _encryption_rule(kms_key_arn: str | None) -> dict[str, Any]:
    if kms_key_arn:
        return {
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": kms_key_arn},
            # A bucket key cuts KMS requests (and cost) by orders of magnitude.
            "BucketKeyEnabled": True,
        }
    return {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}


def _lifecycle_rule(days: int) -> dict[str, Any]:
    return {
        "ID": LIFECYCLE_RULE_ID,
        "Status": "Enabled",
        "Filter": {"Prefix": ""},
        "Expiration": {"Days": days},
        # Versioned buckets keep old versions; expire those too or nothing is ever deleted.
        "NoncurrentVersionExpiration": {"NoncurrentDays": days},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
    }


def _log_prefix(props: Mapping[str, Any], name: str) -> str:
    return props.get("access_log_prefix") or f"{name}/"


def count_versions(s3, bucket: str) -> int:
    """Objects, old versions and delete markers: everything a delete would lose."""
    total = 0
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        total += len(page.get("Versions", [])) + len(page.get("DeleteMarkers", []))
    return total


def _empty(s3, bucket: str) -> None:
    """Delete every object version and delete marker; fail on any that will not go."""
    # The bucket is being discarded: lift its policy first, since a policy may
    # deny even the owner (a TLS or network condition, say) and strand the data.
    aws_call(f"S3 bucket {bucket}: DeleteBucketPolicy", s3.delete_bucket_policy, Bucket=bucket)
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        items = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        if not items:
            continue
        result = aws_call(
            f"S3 bucket {bucket}: DeleteObjects",
            s3.delete_objects,
            Bucket=bucket,
            Delete={"Objects": items, "Quiet": True},
        )
        errors = result.get("Errors", [])
        if errors:
            first = errors[0]
            raise ProviderError(
                f"S3 bucket {bucket}: DeleteObjects: {len(errors)} object(s) could not be deleted, "
                f"e.g. {first['Key']}: {first.get('Code', 'Unknown')}: {first.get('Message', '')}"
            )


class S3BucketProvider(AwsResourceProvider):
    REPLACE_ON = frozenset({"bucket_name", "region"})
    OUTPUTS = frozenset({"arn", "regional_domain_name"})
    # Bucket names are global: a bucket moved to another region keeps its name, so the old one goes first.
    UNIQUE_BY = frozenset({"bucket_name"})
    # What verify and the other providers need to know of this kind (see AwsResourceProvider).
    INVENTORY_MARKER = "bucket_name"
    NOT_FOUND = frozenset({"NoSuchBucket", "404"})
    EXISTENCE_PROBE = "existence:_bucket"
    TAG_READER = "tags:_s3"
    VERIFY_CHECKS = ("s3.encryption", "s3.public-access-block", "s3.versioning", "s3.tls-only", "tags")

    def create(self, props: dict[str, Any]) -> CreateResult:
        s3 = client("s3", props.get("region"))
        name = props["bucket_name"]
        region = s3.meta.region_name
        kwargs: dict[str, Any] = {
            "Bucket": name,
            "ObjectOwnership": props.get("object_ownership") or "BucketOwnerEnforced",
        }
        if region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        try:
            s3.create_bucket(**kwargs)
        except ClientError as exc:
            if error_code(exc) == "BucketAlreadyOwnedByYou" and _made_for(s3, name, props):
                # A run killed after CreateBucket left it outside the state, tagged as ours:
                # adopt it. No rollback: this call did not make it.
                self._configure(s3, name, props, {})
                return CreateResult(name, self._outputs(props, name, region))
            hint = NOT_MADE_FOR_THIS if error_code(exc) == "BucketAlreadyOwnedByYou" else ""
            raise aws_failure(f"S3 bucket {name}: CreateBucket", exc, hint) from exc
        with rollback_on_failure(lambda: s3.delete_bucket(Bucket=name)):
            self._configure(s3, name, props, {})
        return CreateResult(name, self._outputs(props, name, region))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult | None:
        s3 = client("s3", props.get("region"))
        what = f"S3 bucket {id_}"
        # Every bucket has a versioning state, so this GET doubles as the existence check
        # (a HeadBucket first would be one more call per bucket on every refresh).
        try:
            versioning = s3.get_bucket_versioning(Bucket=id_)
        except ClientError as exc:
            if is_not_found(exc):
                return None
            raise ProviderError(f"{what}: GetBucketVersioning: {error_code(exc)}") from exc
        encryption = _optional(f"{what}: GetBucketEncryption", s3.get_bucket_encryption, Bucket=id_)
        block = _optional(f"{what}: GetPublicAccessBlock", s3.get_public_access_block, Bucket=id_)
        ownership = _optional(f"{what}: GetBucketOwnershipControls", s3.get_bucket_ownership_controls, Bucket=id_)
        lifecycle = _optional(
            f"{what}: GetBucketLifecycleConfiguration", s3.get_bucket_lifecycle_configuration, Bucket=id_
        )
        policy = _optional(f"{what}: GetBucketPolicy", s3.get_bucket_policy, Bucket=id_)
        tags = _optional(f"{what}: GetBucketTagging", s3.get_bucket_tagging, Bucket=id_)
        logging = aws_call(f"{what}: GetBucketLogging", s3.get_bucket_logging, Bucket=id_).get("LoggingEnabled") or {}

        sse = (encryption or {}).get("ServerSideEncryptionConfiguration", {}).get("Rules", [{}])[0]
        default = sse.get("ApplyServerSideEncryptionByDefault", {})
        expiry = next((r for r in (lifecycle or {}).get("Rules", []) if r.get("ID") == LIFECYCLE_RULE_ID), None)
        current = {
            **props,
            "bucket_name": id_,
            "kms_key_arn": default.get("KMSMasterKeyID") if default.get("SSEAlgorithm") == "aws:kms" else None,
            "block_public_access": bool(block)
            and all(block["PublicAccessBlockConfiguration"].get(k) for k in PUBLIC_ACCESS_SETTINGS),
            "object_ownership": (ownership or {})
            .get("OwnershipControls", {})
            .get("Rules", [{}])[0]
            .get("ObjectOwnership"),
            "versioning": versioning.get("Status") == "Enabled",
            "access_log_bucket": logging.get("TargetBucket"),
            "access_log_prefix": (
                logging["TargetPrefix"]
                if logging and logging.get("TargetPrefix") != _log_prefix(props, id_)
                else props.get("access_log_prefix")
            ),
            "lifecycle_expiration_days": expiry["Expiration"]["Days"] if expiry else None,
            "bucket_policy": same_json((policy or {}).get("Policy"), props.get("bucket_policy")),
            "tags": tags_of((tags or {}).get("TagSet")),
        }
        return ReadResult(id_, self._outputs(current, id_, s3.meta.region_name))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        s3 = client("s3", news.get("region"))
        if (olds.get("object_ownership") or "BucketOwnerEnforced") != (
            news.get("object_ownership") or "BucketOwnerEnforced"
        ):
            self._put_ownership(s3, id_, news)
        self._configure(s3, id_, news, olds)
        return UpdateResult(self._outputs(news, id_, s3.meta.region_name))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        s3 = client("s3", props.get("region"))
        try:
            held = count_versions(s3, id_)
        except ClientError as exc:
            if is_not_found(exc):
                return
            raise ProviderError(f"S3 bucket {id_}: ListObjectVersions: {error_code(exc)}") from exc
        refuse_data_loss(
            f"S3 bucket {id_}", held, "object(s)/version(s)", "Empty it first", force=props.get("force_destroy")
        )
        if held:
            _empty(s3, id_)
        try:
            s3.delete_bucket(Bucket=id_)
        except ClientError as exc:
            if not is_not_found(exc):
                raise ProviderError(f"S3 bucket {id_}: DeleteBucket: {error_code(exc)}: {exc}") from exc

    def _outputs(self, props: Mapping[str, Any], name: str, region: str) -> dict[str, Any]:
        return self.outputs(
            props,
            arn=f"arn:{partition_of(region)}:s3:::{name}",
            regional_domain_name=f"{name}.s3.{region}.amazonaws.com",
        )

    @staticmethod
    def _put_ownership(s3, name: str, props: Mapping[str, Any]) -> None:
        aws_call(
            f"S3 bucket {name}: PutBucketOwnershipControls",
            s3.put_bucket_ownership_controls,
            Bucket=name,
            OwnershipControls={"Rules": [{"ObjectOwnership": props.get("object_ownership") or "BucketOwnerEnforced"}]},
        )

    @staticmethod
    def _configure(s3, name: str, props: Mapping[str, Any], olds: Mapping[str, Any]) -> None:
        """Apply every sub-setting; puts are idempotent, so this also repairs drift."""
        what = f"S3 bucket {name}"
        # Tags first: they mark the bucket as this plan's, which is what lets a bucket left
        # by a run killed mid-create be adopted (see create).
        if props.get("tags"):
            aws_call(
                f"{what}: PutBucketTagging",
                s3.put_bucket_tagging,
                Bucket=name,
                Tagging={"TagSet": tag_list(props["tags"])},
            )
        elif olds.get("tags"):
            aws_call(f"{what}: DeleteBucketTagging", s3.delete_bucket_tagging, Bucket=name)
        if props.get("block_public_access", True):
            aws_call(
                f"{what}: PutPublicAccessBlock",
                s3.put_public_access_block,
                Bucket=name,
                PublicAccessBlockConfiguration={k: True for k in PUBLIC_ACCESS_SETTINGS},
            )
        else:
            aws_call(f"{what}: DeletePublicAccessBlock", s3.delete_public_access_block, Bucket=name)
        aws_call(
            f"{what}: PutBucketEncryption",
            s3.put_bucket_encryption,
            Bucket=name,
            ServerSideEncryptionConfiguration={"Rules": [_encryption_rule(props.get("kms_key_arn"))]},
        )
        if props.get("versioning"):
            aws_call(
                f"{what}: PutBucketVersioning",
                s3.put_bucket_versioning,
                Bucket=name,
                VersioningConfiguration={"Status": "Enabled"},
            )
        elif olds.get("versioning"):
            # Versioning can never be switched off again, only suspended.
            aws_call(
                f"{what}: PutBucketVersioning",
                s3.put_bucket_versioning,
                Bucket=name,
                VersioningConfiguration={"Status": "Suspended"},
            )
        if props.get("lifecycle_expiration_days"):
            aws_call(
                f"{what}: PutBucketLifecycleConfiguration",
                s3.put_bucket_lifecycle_configuration,
                Bucket=name,
                LifecycleConfiguration={"Rules": [_lifecycle_rule(int(props["lifecycle_expiration_days"]))]},
            )
        elif olds.get("lifecycle_expiration_days"):
            aws_call(f"{what}: DeleteBucketLifecycle", s3.delete_bucket_lifecycle, Bucket=name)
        # The policy goes before logging: a log bucket's own policy must be in place
        # before another bucket names it as a target.
        if props.get("bucket_policy"):
            aws_call(f"{what}: PutBucketPolicy", s3.put_bucket_policy, Bucket=name, Policy=props["bucket_policy"])
        elif olds.get("bucket_policy"):
            aws_call(f"{what}: DeleteBucketPolicy", s3.delete_bucket_policy, Bucket=name)
        if props.get("access_log_bucket"):
            status = {
                "LoggingEnabled": {
                    "TargetBucket": props["access_log_bucket"],
                    "TargetPrefix": _log_prefix(props, name),
                }
            }
        else:
            status = {}
        if status or olds.get("access_log_bucket"):
            aws_call(f"{what}: PutBucketLogging", s3.put_bucket_logging, Bucket=name, BucketLoggingStatus=status)


class S3Bucket(pulumi.dynamic.Resource, module="aws", name="S3Bucket"):
    """A private, encrypted S3 bucket; the id is the bucket name."""

    arn: pulumi.Output[str]
    bucket_name: pulumi.Output[str]
    regional_domain_name: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        bucket_name: pulumi.Input[str],
        region: str | None = None,
        kms_key_arn: pulumi.Input[str] | None = None,
        versioning: bool = False,
        block_public_access: bool = True,
        access_log_bucket: pulumi.Input[str] | None = None,
        access_log_prefix: str | None = None,
        lifecycle_expiration_days: int | None = None,
        object_ownership: str = "BucketOwnerEnforced",
        bucket_policy: pulumi.Input[str] | None = None,
        force_destroy: bool = False,
        tags: Mapping[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "bucket_name": bucket_name,
            "region": region,
            "kms_key_arn": kms_key_arn,
            "versioning": versioning,
            "block_public_access": block_public_access,
            "access_log_bucket": access_log_bucket,
            "access_log_prefix": access_log_prefix,
            "lifecycle_expiration_days": lifecycle_expiration_days,
            "object_ownership": object_ownership,
            "bucket_policy": bucket_policy,
            "force_destroy": force_destroy,
            "tags": dict(tags or {}),
            "arn": None,
            "regional_domain_name": None,
        }
        super().__init__(S3BucketProvider(), resource_name, props, opts)
