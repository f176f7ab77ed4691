"""The hosting program's resource graph under Pulumi mocks."""

from __future__ import annotations

import json

import pytest

from provision.stacks.functions import hosting

COMPONENT = "provision:function:Hosting"
TAGS = {
    "provision:plan": "acme-prod",
    "provision:function": "web",
    "provision:provider": "aws",
    "provision:environment": "prod",
}


@pytest.fixture
def ctx(make_plan, ctx_for):
    def make(**section):
        plan = make_plan({"web": {"type": "hosting", "provider": "aws", "hosting": {"kind": "static-site", **section}}})
        return ctx_for(plan, "web")

    return make


@pytest.fixture
def graph(graph_of, ctx):
    return graph_of(hosting.build, ctx())


def test_builds_key_buckets_and_distribution_under_the_component(graph) -> None:
    assert graph.providers == {
        "web-key": "KmsKeyProvider",
        "web-logs": "S3BucketProvider",
        "web-cdn": "CloudFrontDistributionProvider",
        "web-site": "S3BucketProvider",
    }
    assert set(graph.parent_types.values()) == {COMPONENT}
    assert graph.components == {"web": COMPONENT}


def test_every_resource_carries_the_function_tags(graph) -> None:
    expected = {name: TAGS for name in graph.resources} | {"web-site": {**TAGS, "provision:backup": "data"}}
    assert {name: r["tags"] for name, r in graph.resources.items()} == expected


def test_site_bucket_is_private_encrypted_versioned_and_logged(graph, ctx, region) -> None:
    site, logs = graph["web-site"], graph["web-logs"]
    assert site["bucket_name"] == ctx().physical_name("site", kind="s3-bucket")
    assert site["region"] == region
    assert site["kms_key_arn"] == graph["web-key"]["arn"]
    assert (site["versioning"], site["block_public_access"], site["object_ownership"]) == (
        True,
        True,
        "BucketOwnerEnforced",
    )
    assert site["access_log_bucket"] == logs["bucket_name"] == ctx().physical_name("logs", kind="s3-bucket")
    assert site["force_destroy"] is False


def test_site_bucket_policy_lets_only_the_distribution_read_and_denies_plain_http(graph) -> None:
    bucket = graph["web-site"]["bucket_name"]
    statements = {s["Sid"]: s for s in json.loads(graph["web-site"]["bucket_policy"])["Statement"]}

    assert statements["AllowCloudFrontRead"] == {
        "Sid": "AllowCloudFrontRead",
        "Effect": "Allow",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
        "Condition": {"StringEquals": {"AWS:SourceArn": graph["web-cdn"]["arn"]}},
    }
    assert statements["DenyInsecureTransport"]["Effect"] == "Deny"
    assert statements["DenyInsecureTransport"]["Resource"] == [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]
    assert set(statements) == {"AllowCloudFrontRead", "DenyInsecureTransport"}


def test_log_bucket_is_s3_encrypted_private_expiring_and_written_only_by_log_delivery(graph, account_id) -> None:
    logs = graph["web-logs"]
    assert "kms_key_arn" not in logs  # SSE-S3: log delivery cannot use a customer key
    assert logs["block_public_access"] is True
    assert logs["lifecycle_expiration_days"] == hosting.LOG_RETENTION_DAYS
    statements = {s["Sid"]: s for s in json.loads(logs["bucket_policy"])["Statement"]}
    delivery = statements["S3ServerAccessLogsPolicy"]
    assert delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert delivery["Action"] == "s3:PutObject"
    assert delivery["Resource"] == f"arn:aws:s3:::{logs['bucket_name']}/*"
    assert delivery["Condition"] == {
        "StringEquals": {"aws:SourceAccount": account_id},
        "ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{graph['web-site']['bucket_name']}"},
    }
    assert statements["DenyInsecureTransport"]["Effect"] == "Deny"


def test_key_is_rotated_and_lets_only_this_distribution_decrypt(graph, account_id, region) -> None:
    key = graph["web-key"]
    assert key["enable_key_rotation"] is True
    admin, cloudfront = json.loads(key["key_policy"])["Statement"]
    assert admin["Principal"] == {"AWS": f"arn:aws:iam::{account_id}:root"}
    assert cloudfront == {
        "Sid": "CloudFrontReadThroughOac",
        "Effect": "Allow",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"],
        "Resource": "*",
        "Condition": {"StringEquals": {"AWS:SourceArn": graph["web-cdn"]["arn"]}},
    }
    assert key["alias"] == f"alias/{graph['web-site']['bucket_name']}"
    assert key["region"] == region


def test_distribution_serves_the_site_bucket_over_https(graph, region) -> None:
    cdn = graph["web-cdn"]
    assert cdn["origin_domain_name"] == f"{graph['web-site']['bucket_name']}.s3.{region}.amazonaws.com"
    assert cdn["viewer_protocol_policy"] == "redirect-to-https"
    assert (cdn["price_class"], cdn["default_root_object"], cdn["enabled"]) == ("PriceClass_100", "index.html", True)


def test_the_site_keeps_its_data_on_every_target_and_its_logs_go_with_it(graph) -> None:
    # One program for sandbox and AWS: only `destroy --force-delete-data` deletes the site's objects.
    assert (graph["web-site"]["force_destroy"], graph["web-logs"]["force_destroy"]) == (False, True)


def test_plan_settings_reach_the_distribution(graph_of, ctx) -> None:
    graph = graph_of(hosting.build, ctx(priceClass="PriceClass_All", indexDocument="home.html"))

    assert (graph["web-cdn"]["price_class"], graph["web-cdn"]["default_root_object"]) == ("PriceClass_All", "home.html")


def test_outputs_name_the_bucket_and_distribution(graph) -> None:
    assert graph.outputs == {
        "bucket_name": graph["web-site"]["bucket_name"],
        "bucket_arn": graph["web-site"]["arn"],
        "log_bucket_name": graph["web-logs"]["bucket_name"],
        "kms_key_arn": graph["web-key"]["arn"],
        "distribution_id": graph["web-cdn"]["distribution_id"],
        "distribution_arn": graph["web-cdn"]["arn"],
        "domain_name": graph["web-cdn"]["domain_name"],
    }


def test_only_the_versioned_site_bucket_carries_the_tag_backups_select(graph) -> None:
    # AWS Backup for S3 needs versioning: a selection that caught the log bucket would fail every night.
    buckets = graph.of("S3BucketProvider")
    selected = {name for name, bucket in buckets.items() if bucket["tags"].get("provision:backup") == "data"}
    assert selected == {"web-site"}
    assert buckets["web-site"]["versioning"] is True
