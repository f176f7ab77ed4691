"""CloudFrontDistributionProvider against moto: OAC, HTTPS-only viewers, drift, disable-then-delete, errors."""

from __future__ import annotations

import boto3
import pytest

from provision.stacks.providers.base import ProviderError
from provision.stacks.providers.cloudfront_distribution import CloudFrontDistributionProvider

ORIGIN = "acme-site.s3.eu-west-1.amazonaws.com"


def _props(**overrides):
    props = {
        "origin_domain_name": ORIGIN,
        "oac_name": "acme-site",
        "default_root_object": "index.html",
        "price_class": "PriceClass_100",
        "viewer_protocol_policy": "redirect-to-https",
        "enabled": True,
        "comment": "acme web",
        "tags": {"provision:plan": "acme"},
    }
    return {**props, **overrides}


@pytest.fixture
def cf(aws):
    return boto3.client("cloudfront", region_name="us-east-1")


def test_create_puts_a_private_origin_behind_https(cf) -> None:
    result = CloudFrontDistributionProvider().create(_props())

    assert result.outs["distribution_id"] == result.id
    assert result.outs["domain_name"].endswith(".cloudfront.net")
    dist = cf.get_distribution(Id=result.id)["Distribution"]
    assert dist["ARN"] == result.outs["arn"]
    config = dist["DistributionConfig"]
    [origin] = config["Origins"]["Items"]
    assert (origin["Id"], origin["DomainName"]) == ("s3-origin", ORIGIN)
    behaviour = config["DefaultCacheBehavior"]
    assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behaviour["AllowedMethods"]["Items"] == ["GET", "HEAD"]
    # With the default certificate AWS enforces (and answers) TLSv1, whatever is asked: declare the truth.
    assert config["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1"
    assert (config["DefaultRootObject"], config["PriceClass"], config["Enabled"]) == (
        "index.html",
        "PriceClass_100",
        True,
    )
    oac = cf.get_origin_access_control(Id=result.outs["oac_id"])["OriginAccessControl"]["OriginAccessControlConfig"]
    assert (oac["Name"], oac["SigningBehavior"], oac["OriginAccessControlOriginType"]) == ("acme-site", "always", "s3")
    assert cf.list_tags_for_resource(Resource=result.outs["arn"])["Tags"]["Items"] == [
        {"Key": "provision:plan", "Value": "acme"}
    ]


def test_read_matches_create_and_reflects_drift(cf) -> None:
    provider = CloudFrontDistributionProvider()
    created = provider.create(_props())
    assert provider.read(created.id, created.outs).outs == created.outs

    current = cf.get_distribution_config(Id=created.id)
    config = current["DistributionConfig"]
    config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] = "allow-all"
    config["PriceClass"] = "PriceClass_All"
    cf.update_distribution(Id=created.id, IfMatch=current["ETag"], DistributionConfig=config)
    oac_etag = cf.get_origin_access_control(Id=created.outs["oac_id"])["ETag"]
    cf.delete_origin_access_control(Id=created.outs["oac_id"], IfMatch=oac_etag)
    outs = provider.read(created.id, created.outs).outs

    assert outs["viewer_protocol_policy"] == "allow-all"
    assert outs["price_class"] == "PriceClass_All"
    assert outs["oac_name"] is None
    assert provider.diff(created.id, outs, _props()).changes is True


def test_read_returns_none_when_gone(cf) -> None:
    assert CloudFrontDistributionProvider().read("E000000000000", _props()) is None


@pytest.mark.parametrize(
    "change",
    [
        {"origin_domain_name": "other.s3.eu-west-1.amazonaws.com"},
        {"oac_name": "renamed"},
        {"price_class": "PriceClass_All"},
        {"viewer_protocol_policy": "https-only"},
        {"enabled": False},
        {"tags": {}},
    ],
)
def test_every_setting_updates_in_place(change) -> None:
    olds = {**_props(), "arn": "arn", "distribution_id": "E1", "domain_name": "d", "oac_id": "O1"}

    diff = CloudFrontDistributionProvider().diff("E1", olds, _props(**change))

    assert (diff.changes, diff.replaces) == (True, [])


def test_update_repairs_drift_and_applies_changes(cf) -> None:
    provider = CloudFrontDistributionProvider()
    created = provider.create(_props())
    oac_etag = cf.get_origin_access_control(Id=created.outs["oac_id"])["ETag"]
    cf.delete_origin_access_control(Id=created.outs["oac_id"], IfMatch=oac_etag)
    drifted = provider.read(created.id, created.outs).outs
    caller_reference = cf.get_distribution_config(Id=created.id)["DistributionConfig"]["CallerReference"]
    news = _props(viewer_protocol_policy="https-only", price_class="PriceClass_200", tags={"team": "web"})

    result = provider.update(created.id, drifted, news)

    assert result.outs["oac_id"] != created.outs["oac_id"]
    assert (
        cf.get_origin_access_control(Id=result.outs["oac_id"])["OriginAccessControl"]["OriginAccessControlConfig"][
            "Name"
        ]
        == "acme-site"
    )
    config = cf.get_distribution_config(Id=created.id)["DistributionConfig"]
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "https-only"
    assert config["PriceClass"] == "PriceClass_200"
    assert config["CallerReference"] == caller_reference
    assert cf.list_tags_for_resource(Resource=created.outs["arn"])["Tags"]["Items"] == [{"Key": "team", "Value": "web"}]
    assert provider.read(created.id, result.outs).outs == result.outs


def test_update_renames_the_oac(cf) -> None:
    provider = CloudFrontDistributionProvider()
    created = provider.create(_props())

    result = provider.update(created.id, created.outs, _props(oac_name="acme-site-v2"))

    assert result.outs["oac_id"] == created.outs["oac_id"]
    oac = cf.get_origin_access_control(Id=created.outs["oac_id"])["OriginAccessControl"]
    assert oac["OriginAccessControlConfig"]["Name"] == "acme-site-v2"


def test_delete_disables_then_deletes_distribution_and_oac(cf) -> None:
    provider = CloudFrontDistributionProvider()
    created = provider.create(_props())

    provider.delete(created.id, created.outs)
    provider.delete(created.id, created.outs)

    assert provider.read(created.id, created.outs) is None
    assert cf.list_origin_access_controls()["OriginAccessControlList"].get("Items", []) == []


def test_bad_viewer_policy_is_refused_and_leaves_no_oac(cf) -> None:
    with pytest.raises(
        ProviderError,
        match="^CloudFront distribution: viewer_protocol_policy must be one of redirect-to-https, https-only, not 'allow-all'$",
    ):
        CloudFrontDistributionProvider().create(_props(viewer_protocol_policy="allow-all"))

    assert cf.list_origin_access_controls()["OriginAccessControlList"].get("Items", []) == []


def test_update_of_a_vanished_distribution_names_the_aws_error(cf) -> None:
    provider = CloudFrontDistributionProvider()
    created = provider.create(_props())
    provider.delete(created.id, created.outs)

    with pytest.raises(
        ProviderError, match=rf"^CloudFront distribution {created.id}: GetDistributionConfig: NoSuchDistribution: "
    ):
        provider.update(created.id, created.outs, _props())


def test_delete_waits_until_cloudfront_lets_go_of_the_oac(cf, refuse_first) -> None:
    provider = CloudFrontDistributionProvider()
    created = provider.create(_props())
    waits = refuse_first(
        "cloudfront",
        "DeleteOriginAccessControl",
        "OriginAccessControlInUse",
        "Cannot delete this origin access control because it's in use by one or more origins.",
        times=2,
        region="us-east-1",
    )

    provider.delete(created.id, created.outs)

    assert cf.list_origin_access_controls()["OriginAccessControlList"].get("Items", []) == []
    assert waits == [1.0, 2.0]
