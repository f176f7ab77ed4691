"""The data-exchange program: drop zone, partner prefixes and roles, optional SFTP, under Pulumi mocks."""

from __future__ import annotations

import json

import pytest
from pulumi.runtime import rpc

from provision.stacks.functions import data_exchange
from provision.stacks.verify.policy_documents import privilege_problems

ACCOUNT = "111122223333"
COMPONENT = "provision:function:DataExchange"


@pytest.fixture(autouse=True)
def external_ids(monkeypatch) -> None:
    monkeypatch.setenv("NIGHTWATCH_EXTERNAL_ID", "nw-ext-id-1")
    monkeypatch.setenv("CLAIMSCO_EXTERNAL_ID", "cc-ext-id-2")


@pytest.fixture
def build(graph_of, make_plan, ctx_for):
    def run(provider: str = "claimsco", **section):
        plan = make_plan({"drop": {"type": "data-exchange", "provider": provider, "dataExchange": {"retentionDays": 30, **section}}})
        return graph_of(data_exchange.build, ctx_for(plan, "drop"))

    return run


def _secret(value):
    assert isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig, "not a secret"
    return value["value"]


def test_the_drop_zone_is_encrypted_private_logged_and_expires(build) -> None:
    graph = build()
    bucket = graph["drop-drop-zone"]
    name = bucket["bucket_name"]

    assert name.startswith("acme-prod-drop-drop-zone-")
    assert bucket["kms_key_arn"] == graph["drop-key"]["arn"]
    assert (bucket["versioning"], bucket["block_public_access"], bucket["object_ownership"]) == (
        True,
        True,
        "BucketOwnerEnforced",
    )
    assert bucket["lifecycle_expiration_days"] == 30
    assert bucket["access_log_bucket"] == graph["drop-logs"]["bucket_name"]
    assert (bucket["force_destroy"], graph["drop-logs"]["force_destroy"]) == (False, True)
    (deny,) = json.loads(bucket["bucket_policy"])["Statement"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    log_policy = json.loads(graph["drop-logs"]["bucket_policy"])
    delivery = next(s for s in log_policy["Statement"] if s["Effect"] == "Allow")
    assert delivery["Condition"]["ArnLike"]["aws:SourceArn"] == f"arn:aws:s3:::{name}"
    assert graph.outputs["partner_prefixes"] == {"claimsco": "partners/claimsco/"}


def test_each_external_partner_gets_a_role_limited_to_its_prefix(build) -> None:
    graph = build(provider="aws", partners=["claimsco", "nightwatch"])
    bucket = graph["drop-drop-zone"]["bucket_name"]

    assert sorted(graph.outputs["partner_role_arns"]) == ["claimsco", "nightwatch"]
    for partner, account, external_id in (("claimsco", "444455556666", "cc-ext-id-2"), ("nightwatch", "210987654321", "nw-ext-id-1")):
        role = graph[f"drop-partner-{partner}"]
        (trust,) = json.loads(_secret(role["assume_role_policy"]))["Statement"]
        assert trust["Principal"] == {"AWS": f"arn:aws:iam::{account}:root"}
        assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": external_id}}
        assert role["max_session_duration"] == 3600
        policy = json.loads(role["inline_policies"]["drop-zone"])
        assert privilege_problems(policy) == []
        by_sid = {s["Sid"]: s for s in policy["Statement"]}
        assert by_sid["PartnerObjects"]["Action"] == ["s3:GetObject", "s3:PutObject"]
        assert by_sid["PartnerObjects"]["Resource"] == [f"arn:aws:s3:::{bucket}/partners/{partner}/*"]
        assert by_sid["PartnerListing"]["Condition"] == {
            "StringLike": {"s3:prefix": [f"partners/{partner}/", f"partners/{partner}/*"]}
        }
        assert by_sid["BucketKey"]["Resource"] == [graph["drop-key"]["arn"]]
        boundary = json.loads(role["permissions_boundary"])
        assert {s["Effect"] for s in boundary["Statement"]} == {"Allow", "Deny"}
        assert role["tags"]["provision:partner"] == partner


def test_partners_default_to_the_functions_provider(build) -> None:
    graph = build()

    assert list(graph.outputs["partner_role_arns"]) == ["claimsco"]
    assert "drop-sftp" not in graph.resources


def test_the_organisations_own_account_as_partner_gets_a_prefix_but_no_vendor_role(build) -> None:
    graph = build(provider="aws")

    assert graph.outputs["partner_prefixes"] == {"aws": "partners/aws/"}
    assert graph.outputs["partner_role_arns"] == {}


def test_sftp_server_with_one_chrooted_user_per_partner(build) -> None:
    graph = build(provider="aws", partners=["claimsco", "nightwatch"], sftp=True)
    bucket = graph["drop-drop-zone"]["bucket_name"]

    server = graph["drop-sftp"]
    assert (server["protocols"], server["identity_provider_type"], server["endpoint_type"]) == (
        ["SFTP"],
        "SERVICE_MANAGED",
        "PUBLIC",
    )
    assert server["logging_role"] == graph["drop-sftp-logging"]["arn"]
    logging_trust = json.loads(graph["drop-sftp-logging"]["assume_role_policy"])["Statement"][0]
    assert logging_trust["Principal"] == {"Service": "transfer.amazonaws.com"}
    for partner in ("claimsco", "nightwatch"):
        user = graph[f"drop-sftp-user-{partner}"]
        assert (user["server_id"], user["user_name"]) == ("drop-sftp-server_id", partner)
        assert user["home_directory_mappings"] == [{"entry": "/", "target": f"/{bucket}/partners/{partner}"}]
        assert user["role"] == graph[f"drop-sftp-{partner}"]["arn"]
        policy = json.loads(graph[f"drop-sftp-{partner}"]["inline_policies"]["drop-zone"])
        assert policy["Statement"][0]["Resource"] == [f"arn:aws:s3:::{bucket}/partners/{partner}/*"]
    assert graph.outputs["sftp_endpoint"] == "drop-sftp-endpoint"


def test_every_resource_is_a_tagged_child_of_the_component(build) -> None:
    graph = build(sftp=True)

    for name, resource in graph.resources.items():
        assert graph.parent_types[name] == COMPONENT, name
        tags = resource["tags"]
        assert (tags["provision:plan"], tags["provision:function"], tags["provision:provider"], tags["provision:environment"]) == (
            "acme-prod",
            "drop",
            "claimsco",
            "prod",
        ), name


def test_a_missing_external_id_stops_the_build_with_the_reference_named(build, monkeypatch) -> None:
    monkeypatch.delenv("CLAIMSCO_EXTERNAL_ID")

    with pytest.raises(Exception, match="provider 'claimsco': externalIdRef env:CLAIMSCO_EXTERNAL_ID: environment variable"):
        build()
