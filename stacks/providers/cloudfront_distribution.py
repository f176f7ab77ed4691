"""A CloudFront distribution in front of a private S3 bucket, with its own
origin access control (OAC).

CloudFront signs its requests to the bucket through the OAC, so the bucket
stays private: its policy (written by the hosting program) lets only this
distribution read. Viewers are held to HTTPS (redirected or refused). With
CloudFront's default *.cloudfront.net certificate AWS applies its TLSv1
security policy whatever minimum is asked, so that is what is declared (TLS
1.2 as a minimum needs a custom domain with an ACM certificate). Deleting a
distribution means disabling it first and waiting for the change to deploy,
which on AWS takes minutes; its OAC can go only once CloudFront has let go of
it (OriginAccessControlInUse until then).
"""

from __future__ import annotations

import uuid
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
    eventually,
    is_not_found,
    rollback_on_failure,
    tag_list,
)
from provision.stacks.providers.calls import wait_for
from provision.stacks.providers.tag_sync import apply_tag_changes, tags_of

ORIGIN_ID = "s3-origin"
# AWS's managed "CachingOptimized" cache policy.
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
VIEWER_POLICIES = ("redirect-to-https", "https-only")
GONE_CODES = frozenset({"NoSuchDistribution", "NoSuchOriginAccessControl"})
DEPLOY_WAIT = {"Delay": 20, "MaxAttempts": 90}  # up to 30 minutes
# How long a deleted distribution may keep its OAC: about two minutes.
OAC_RELEASE_RETRY = {"attempts": 18, "delay": 1.0}


def _cloudfront():
    return client("cloudfront", "us-east-1")  # a global service, served from us-east-1


def _gone(exc: ClientError) -> bool:
    return error_code(exc) in GONE_CODES or is_not_found(exc)


def _managed_config(props: Mapping[str, Any], oac_id: str) -> dict[str, Any]:
    """The parts of a DistributionConfig this resource owns."""
    policy = props.get("viewer_protocol_policy") or "redirect-to-https"
    if policy not in VIEWER_POLICIES:
        raise ProviderError(
            f"CloudFront distribution: viewer_protocol_policy must be one of {', '.join(VIEWER_POLICIES)}, not {policy!r}"
        )
    get_head = {"Quantity": 2, "Items": ["GET", "HEAD"]}
    return {
        "Comment": props.get("comment") or "",
        "Enabled": bool(props.get("enabled", True)),
        "DefaultRootObject": props.get("default_root_object") or "index.html",
        "PriceClass": props.get("price_class") or "PriceClass_100",
        "HttpVersion": "http2and3",
        "IsIPV6Enabled": True,
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": ORIGIN_ID,
                    "DomainName": props["origin_domain_name"],
                    # An OAC replaces the legacy origin access identity, left empty.
                    "S3OriginConfig": {"OriginAccessIdentity": ""},
                    "OriginAccessControlId": oac_id,
                }
            ],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": ORIGIN_ID,
            "ViewerProtocolPolicy": policy,
            "CachePolicyId": CACHING_OPTIMIZED,
            "Compress": True,
            "AllowedMethods": {**get_head, "CachedMethods": get_head},
        },
        # What AWS enforces and answers with the default certificate, whatever is asked.
        "ViewerCertificate": {"CloudFrontDefaultCertificate": True, "MinimumProtocolVersion": "TLSv1"},
    }


def _oac_config(props: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "Name": props["oac_name"],
        "Description": f"Origin access for {props['origin_domain_name']}",
        "SigningProtocol": "sigv4",
        "SigningBehavior": "always",
        "OriginAccessControlOriginType": "s3",
    }


class CloudFrontDistributionProvider(AwsResourceProvider):
    OUTPUTS = frozenset({"arn", "distribution_id", "domain_name", "oac_id"})
    # What verify and the other providers need to know of this kind (see AwsResourceProvider).
    INVENTORY_MARKER = "distribution_id"
    NOT_FOUND = frozenset({"NoSuchDistribution"})
    EXISTENCE_PROBE = "existence:_distribution"
    TAG_READER = "tags:_cloudfront"
    VERIFY_CHECKS = ("tags",)

    def create(self, props: dict[str, Any]) -> CreateResult:
        cf = _cloudfront()
        oac = aws_call(
            f"CloudFront OAC {props['oac_name']}: CreateOriginAccessControl",
            cf.create_origin_access_control,
            OriginAccessControlConfig=_oac_config(props),
        )
        oac_id = oac["OriginAccessControl"]["Id"]
        with rollback_on_failure(lambda: cf.delete_origin_access_control(Id=oac_id, IfMatch=oac["ETag"])):
            config = {"CallerReference": str(uuid.uuid4()), **_managed_config(props, oac_id)}
            dist = aws_call(
                f"CloudFront distribution for {props['origin_domain_name']}: CreateDistributionWithTags",
                cf.create_distribution_with_tags,
                DistributionConfigWithTags={
                    "DistributionConfig": config,
                    "Tags": {"Items": tag_list(props.get("tags"))},
                },
            )["Distribution"]
        return CreateResult(dist["Id"], self._outputs(props, dist, oac_id))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult | None:
        cf = _cloudfront()
        try:
            dist = cf.get_distribution(Id=id_)["Distribution"]
        except ClientError as exc:
            if _gone(exc):
                return None
            raise ProviderError(f"CloudFront distribution {id_}: GetDistribution: {error_code(exc)}") from exc
        config = dist["DistributionConfig"]
        origin = next((o for o in config["Origins"].get("Items", []) if o["Id"] == ORIGIN_ID), None) or {}
        oac_id = props.get("oac_id")
        tags = aws_call(
            f"CloudFront distribution {id_}: ListTagsForResource", cf.list_tags_for_resource, Resource=dist["ARN"]
        )
        current = {
            **props,
            "origin_domain_name": origin.get("DomainName"),
            # The OAC only counts while the origin still signs with it.
            "oac_name": self._oac_name(cf, oac_id) if origin.get("OriginAccessControlId", oac_id) == oac_id else None,
            "default_root_object": config.get("DefaultRootObject"),
            "price_class": config.get("PriceClass"),
            "viewer_protocol_policy": config["DefaultCacheBehavior"]["ViewerProtocolPolicy"],
            "enabled": config["Enabled"],
            "comment": config.get("Comment", ""),
            "tags": tags_of(tags["Tags"].get("Items")),
        }
        return ReadResult(id_, self._outputs(current, dist, oac_id))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        cf = _cloudfront()
        what = f"CloudFront distribution {id_}"
        current = aws_call(f"{what}: GetDistributionConfig", cf.get_distribution_config, Id=id_)
        oac_id = self._ensure_oac(cf, olds.get("oac_id"), news)
        config = {**current["DistributionConfig"], **_managed_config(news, oac_id)}
        dist = aws_call(
            f"{what}: UpdateDistribution",
            cf.update_distribution,
            Id=id_,
            IfMatch=current["ETag"],
            DistributionConfig=config,
        )["Distribution"]
        apply_tag_changes(
            olds.get("tags"),
            news.get("tags"),
            tag=lambda t: aws_call(
                f"{what}: TagResource", cf.tag_resource, Resource=dist["ARN"], Tags={"Items": tag_list(t)}
            ),
            untag=lambda keys: aws_call(
                f"{what}: UntagResource", cf.untag_resource, Resource=dist["ARN"], TagKeys={"Items": keys}
            ),
        )
        return UpdateResult(self._outputs(news, dist, oac_id))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        cf = _cloudfront()
        what = f"CloudFront distribution {id_}"
        try:
            current = cf.get_distribution_config(Id=id_)
        except ClientError as exc:
            if not _gone(exc):
                raise ProviderError(f"{what}: GetDistributionConfig: {error_code(exc)}") from exc
        else:
            etag = current["ETag"]
            if current["DistributionConfig"]["Enabled"]:
                # CloudFront deletes only disabled, fully deployed distributions.
                config = {**current["DistributionConfig"], "Enabled": False}
                etag = aws_call(
                    f"{what}: UpdateDistribution (disable)",
                    cf.update_distribution,
                    Id=id_,
                    IfMatch=etag,
                    DistributionConfig=config,
                )["ETag"]
                wait_for(f"{what}: wait deployed", cf, "distribution_deployed", Id=id_, WaiterConfig=DEPLOY_WAIT)
            try:
                cf.delete_distribution(Id=id_, IfMatch=etag)
            except ClientError as exc:
                if not _gone(exc):
                    raise aws_failure(f"{what}: DeleteDistribution", exc) from exc
        if props.get("oac_id"):
            self._delete_oac(cf, props["oac_id"])

    def _outputs(self, props: Mapping[str, Any], dist: Mapping[str, Any], oac_id: str | None) -> dict[str, Any]:
        return self.outputs(
            props, arn=dist["ARN"], distribution_id=dist["Id"], domain_name=dist["DomainName"], oac_id=oac_id
        )

    @staticmethod
    def _oac_name(cf, oac_id: str | None) -> str | None:
        if not oac_id:
            return None
        try:
            return cf.get_origin_access_control(Id=oac_id)["OriginAccessControl"]["OriginAccessControlConfig"]["Name"]
        except ClientError as exc:
            if _gone(exc):
                return None
            raise ProviderError(f"CloudFront OAC {oac_id}: GetOriginAccessControl: {error_code(exc)}") from exc

    @staticmethod
    def _ensure_oac(cf, oac_id: str | None, props: Mapping[str, Any]) -> str:
        """Our OAC with the wanted settings; a new one if it was deleted behind our back."""
        if oac_id:
            try:
                current = cf.get_origin_access_control(Id=oac_id)
            except ClientError as exc:
                if not _gone(exc):
                    raise ProviderError(f"CloudFront OAC {oac_id}: GetOriginAccessControl: {error_code(exc)}") from exc
            else:
                if current["OriginAccessControl"]["OriginAccessControlConfig"] != _oac_config(props):
                    aws_call(
                        f"CloudFront OAC {oac_id}: UpdateOriginAccessControl",
                        cf.update_origin_access_control,
                        Id=oac_id,
                        IfMatch=current["ETag"],
                        OriginAccessControlConfig=_oac_config(props),
                    )
                return oac_id
        created = aws_call(
            f"CloudFront OAC {props['oac_name']}: CreateOriginAccessControl",
            cf.create_origin_access_control,
            OriginAccessControlConfig=_oac_config(props),
        )
        return created["OriginAccessControl"]["Id"]

    @staticmethod
    def _delete_oac(cf, oac_id: str) -> None:
        def attempt() -> None:
            etag = cf.get_origin_access_control(Id=oac_id)["ETag"]
            cf.delete_origin_access_control(Id=oac_id, IfMatch=etag)

        try:
            # A distribution being deleted still holds its OAC for a while.
            eventually(attempt, retry_on=["OriginAccessControlInUse"], **OAC_RELEASE_RETRY)
        except ClientError as exc:
            if not _gone(exc):
                raise ProviderError(f"CloudFront OAC {oac_id}: DeleteOriginAccessControl: {error_code(exc)}") from exc


class CloudFrontDistribution(pulumi.dynamic.Resource, module="aws", name="CloudFrontDistribution"):
    """A distribution serving a private S3 bucket through its own OAC; the id is the distribution id."""

    arn: pulumi.Output[str]
    distribution_id: pulumi.Output[str]
    domain_name: pulumi.Output[str]
    oac_id: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        origin_domain_name: pulumi.Input[str],
        oac_name: pulumi.Input[str],
        default_root_object: str = "index.html",
        price_class: str = "PriceClass_100",
        viewer_protocol_policy: str = "redirect-to-https",
        enabled: bool = True,
        comment: str = "",
        tags: Mapping[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "origin_domain_name": origin_domain_name,
            "oac_name": oac_name,
            "default_root_object": default_root_object,
            "price_class": price_class,
            "viewer_protocol_policy": viewer_protocol_policy,
            "enabled": enabled,
            "comment": comment,
            "tags": dict(tags or {}),
            "arn": None,
            "distribution_id": None,
            "domain_name": None,
            "oac_id": None,
        }
        super().__init__(CloudFrontDistributionProvider(), resource_name, props, opts)
