"""The hosting function (static site): a private bucket behind CloudFront.

- a KMS key (rotated) encrypts the site's objects;
- the site bucket is private (all public access blocked, owner-enforced
  objects), KMS-encrypted with a bucket key, versioned, and access-logged;
  its policy lets only this distribution read objects and refuses plain HTTP;
- the access logs go to a separate bucket (SSE-S3, public access blocked,
  kept LOG_RETENTION_DAYS), writable only by S3 log delivery for the site;
- a CloudFront distribution serves the bucket through its own origin access
  control, HTTPS only, with `priceClass` and `indexDocument` from the plan.

The site bucket refuses deletion while it holds objects, on every target,
unless `provision destroy --force-delete-data`; the log bucket goes with the
site whose requests it records.
"""

from __future__ import annotations

from typing import Any

from provision.stacks.functions.base import FunctionComponent, FunctionContext
from provision.stacks.providers.cloudfront_distribution import CloudFrontDistribution
from provision.stacks.providers.kms_key import KmsKey, key_policy
from provision.stacks.providers.s3_bucket import S3Bucket
from provision.stacks.providers.s3_policies import deny_insecure_transport, log_delivery_statement, policy_document

CLOUDFRONT_SERVICE = "cloudfront.amazonaws.com"
DEFAULT_PRICE_CLASS = "PriceClass_100"
DEFAULT_INDEX = "index.html"
# Access logs are audit evidence: a year covers PCI DSS and most SOC 2 reviews.
LOG_RETENTION_DAYS = 365


def cloudfront_read_statement(bucket: str, distribution_arn: str) -> dict[str, Any]:
    """Let one CloudFront distribution (through its OAC) read the bucket's objects."""
    partition = distribution_arn.split(":")[1]
    return {
        "Sid": "AllowCloudFrontRead",
        "Effect": "Allow",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject",
        "Resource": f"arn:{partition}:s3:::{bucket}/*",
        "Condition": {"StringEquals": {"AWS:SourceArn": distribution_arn}},
    }


def site_bucket_policy(bucket: str, distribution_arn: str) -> str:
    partition = distribution_arn.split(":")[1]
    return policy_document(
        cloudfront_read_statement(bucket, distribution_arn), deny_insecure_transport(bucket, partition)
    )


def log_bucket_policy(log_bucket: str, account_id: str, site_bucket: str, partition: str = "aws") -> str:
    return policy_document(
        log_delivery_statement(log_bucket, account_id, [site_bucket], partition=partition),
        deny_insecure_transport(log_bucket, partition),
    )


def build(ctx: FunctionContext) -> FunctionComponent:
    settings = ctx.function.settings
    fn, account, region, tags = ctx.function.name, ctx.account_id, ctx.region, ctx.tags()
    component = FunctionComponent(ctx.function)
    opts = ctx.resource_opts(component)
    site_name, log_name = ctx.physical_name("site", kind="s3-bucket"), ctx.physical_name("logs", kind="s3-bucket")

    logs = S3Bucket(
        f"{fn}-logs",
        bucket_name=log_name,
        region=region,
        kms_key_arn=None,  # S3 log delivery cannot write with a customer key; SSE-S3 it is
        lifecycle_expiration_days=LOG_RETENTION_DAYS,
        bucket_policy=log_bucket_policy(log_name, account, site_name, ctx.partition),
        # S3 writes here for as long as the site exists (our own calls included):
        # the logs go with the site, as the data exchange's do.
        force_destroy=True,
        tags=tags,
        opts=opts,
    )
    # The distribution takes the bucket's regional name, known in advance: the
    # key's and the bucket's policies name the distribution, so they come after it.
    distribution = CloudFrontDistribution(
        f"{fn}-cdn",
        origin_domain_name=f"{site_name}.s3.{region}.amazonaws.com",
        oac_name=site_name,
        default_root_object=settings.get("indexDocument", DEFAULT_INDEX),
        price_class=settings.get("priceClass", DEFAULT_PRICE_CLASS),
        viewer_protocol_policy="redirect-to-https",
        comment=f"{ctx.plan.name}/{fn}",
        tags=tags,
        opts=opts,
    )
    key = KmsKey(
        f"{fn}-key",
        description=f"Static site content of {ctx.plan.name}/{fn}",
        # CloudFront decrypts objects for viewers through the OAC of this distribution only.
        key_policy=distribution.arn.apply(
            lambda arn: key_policy(
                account, [CLOUDFRONT_SERVICE], source_arns={CLOUDFRONT_SERVICE: arn}, partition=ctx.partition
            )
        ),
        alias=f"alias/{site_name}",
        region=region,
        tags=tags,
        opts=opts,
    )
    site = S3Bucket(
        f"{fn}-site",
        bucket_name=site_name,
        region=region,
        kms_key_arn=key.arn,
        versioning=True,
        access_log_bucket=logs.bucket_name,
        bucket_policy=distribution.arn.apply(lambda arn: site_bucket_policy(site_name, arn)),
        tags=ctx.data_tags(),
        opts=opts,
    )
    return component.finish(
        bucket_name=site.bucket_name,
        bucket_arn=site.arn,
        log_bucket_name=logs.bucket_name,
        kms_key_arn=key.arn,
        distribution_id=distribution.distribution_id,
        distribution_arn=distribution.arn,
        domain_name=distribution.domain_name,
    )
