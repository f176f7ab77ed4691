"""Vendor access roles under Pulumi mocks, their policy documents, and reading the ExternalId."""

from __future__ import annotations

import json
from types import SimpleNamespace

import boto3
import pytest
from moto import mock_aws
from pulumi.runtime import rpc

from provision.stacks.functions import backup, hosting, iam_policies, vendor_access
from provision.stacks.functions.base import FunctionContext
from provision.stacks.verify.policy_documents import privilege_problems

NIGHTWATCH_ROOT = "arn:aws:iam::210987654321:root"
CLAIMSCO_ROOT = "arn:aws:iam::444455556666:root"
EXCHANGE_OUTPUTS = {
    "bucket_arn": "arn:aws:s3:::acme-exchange",
    "kms_key_arn": "arn:aws:kms:eu-west-1:111122223333:key/exchange",
}


@pytest.fixture
def plan(make_plan):
    return make_plan(
        {
            "web": {"type": "hosting", "provider": "nightwatch", "hosting": {"kind": "static-site"}},
            "backups": {
                "type": "backup",
                "provider": "nightwatch",
                "backup": {"protects": ["web"], "rpoHours": 24, "retentionDays": 35},
            },
            "exchange": {
                "type": "data-exchange",
                "provider": "aws",
                "dataExchange": {"retentionDays": 30, "partners": ["claimsco"]},
            },
        }
    )


@pytest.fixture
def external_ids(monkeypatch):
    monkeypatch.setenv("NIGHTWATCH_EXTERNAL_ID", "nw-secret-123")
    monkeypatch.setenv("CLAIMSCO_EXTERNAL_ID", "cc-secret-456")


def _program(plan, account_id):
    def run():
        ctx = {
            name: FunctionContext(plan=plan, function=plan.functions[name], account_id=account_id)
            for name in ("web", "backups")
        }
        components = {"web": hosting.build(ctx["web"]), "backups": backup.build(ctx["backups"])}
        components["exchange"] = SimpleNamespace(outputs=EXCHANGE_OUTPUTS)  # its program is not under test here
        roles = vendor_access.build_vendor_roles(plan, account_id, components)
        return {name: role.arn for name, role in roles.items()}

    return run


@pytest.fixture
def graph(graph_of, plan, account_id, external_ids):
    return graph_of(_program(plan, account_id))


def _secret(value):
    assert isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig, "not a secret"
    return value["value"]


def _policies(role) -> dict:
    return {name: json.loads(doc) for name, doc in role["inline_policies"].items()}


def test_one_role_per_external_provider_operating_a_function(graph, plan, account_id) -> None:
    assert graph.of("IamRoleProvider").keys() >= {"vendor-access-nightwatch", "vendor-access-claimsco"}
    assert set(graph.outputs) == {"nightwatch", "claimsco"}
    role = graph["vendor-access-nightwatch"]
    assert role["role_name"] == vendor_access.vendor_role_name(plan, "nightwatch", account_id)
    assert graph.outputs["nightwatch"] == role["arn"]
    assert (
        vendor_access.vendor_role_arn(plan, "nightwatch", account_id)
        == f"arn:aws:iam::{account_id}:role/{role['role_name']}"
    )
    assert role["tags"] == {
        "provision:plan": "acme-prod",
        "provision:function": "vendor-access",
        "provision:provider": "nightwatch",
        "provision:environment": "prod",
    }


def test_trust_is_the_vendor_account_with_its_external_id_kept_secret(graph) -> None:
    for name, root, external_id in (
        ("nightwatch", NIGHTWATCH_ROOT, "nw-secret-123"),
        ("claimsco", CLAIMSCO_ROOT, "cc-secret-456"),
    ):
        role = graph[f"vendor-access-{name}"]
        trust = json.loads(_secret(role["assume_role_policy"]))
        assert trust["Statement"] == [
            {
                "Effect": "Allow",
                "Principal": {"AWS": root},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
            }
        ]
        assert role["max_session_duration"] == 3600
        # Nothing else about the role is secret, and the value appears nowhere else.
        assert external_id not in json.dumps({k: v for k, v in role.items() if k != "assume_role_policy"})


def test_policies_are_per_function_and_scoped_to_its_resources(graph) -> None:
    nightwatch = _policies(graph["vendor-access-nightwatch"])
    assert set(nightwatch) == {"operate-web", "operate-backups"}
    web = {s["Sid"]: s for s in nightwatch["operate-web"]["Statement"]}
    site_arn = graph["web-site"]["arn"]
    assert web["PublishSite"]["Resource"] == [f"{site_arn}/*"]
    assert web["InvalidateCache"]["Resource"] == [graph["web-cdn"]["arn"]]
    backups = {s["Sid"]: s for s in nightwatch["operate-backups"]["Statement"]}
    assert backups["StartBackups"]["Resource"] == [graph["backups-vault"]["arn"]]
    assert backups["PassBackupRole"]["Resource"] == [graph["backups-role"]["arn"]]
    assert backups["PassBackupRole"]["Condition"] == {"StringEquals": {"iam:PassedToService": "backup.amazonaws.com"}}

    claimsco = _policies(graph["vendor-access-claimsco"])
    assert set(claimsco) == {"operate-exchange"}
    exchange = {s["Sid"]: s for s in claimsco["operate-exchange"]["Statement"]}
    assert exchange["ExchangeFiles"] == {
        "Sid": "ExchangeFiles",
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:PutObject"],
        "Resource": ["arn:aws:s3:::acme-exchange/*"],
    }


def test_no_policy_grants_wildcards_or_writes_everywhere(graph) -> None:
    for name in ("vendor-access-nightwatch", "vendor-access-claimsco"):
        role = graph[name]
        for doc in role["inline_policies"].values():
            assert privilege_problems(doc) == []
        assert privilege_problems(role["permissions_boundary"]) == []


def test_boundary_caps_the_role_and_denies_guard_rail_actions(graph) -> None:
    role = graph["vendor-access-nightwatch"]
    boundary = {s["Sid"]: s for s in json.loads(role["permissions_boundary"])["Statement"]}
    granted = {a for doc in _policies(role).values() for s in doc["Statement"] for a in s["Action"]}

    bounded = set(boundary["AtMostTheseResources"]["Action"]) | set(boundary["AtMostTheseReads"]["Action"])
    assert bounded == granted
    assert boundary["AtMostTheseReads"]["Resource"] == "*"
    assert set(boundary["AtMostTheseReads"]["Action"]) <= iam_policies.UNSCOPED_READ_ACTIONS
    assert boundary["GuardRails"] == {
        "Sid": "GuardRails",
        "Effect": "Deny",
        "Action": list(iam_policies.GUARD_RAIL_DENIES),
        "Resource": "*",
    }


def test_cloud_providers_and_idle_vendors_get_no_role(graph_of, make_plan, account_id, external_ids) -> None:
    plan = make_plan({"web": {"type": "hosting", "provider": "aws", "hosting": {"kind": "static-site"}}})

    def run():
        web = hosting.build(FunctionContext(plan=plan, function=plan.functions["web"], account_id=account_id))
        return vendor_access.build_vendor_roles(plan, account_id, {"web": web})

    assert graph_of(run).of("IamRoleProvider") == {}


def test_every_operated_function_needs_its_component(plan, account_id, external_ids) -> None:
    with pytest.raises(KeyError, match="vendor access for 'nightwatch': no component built for backups, web"):
        vendor_access.build_vendor_roles(plan, account_id, {})


def test_missing_external_id_names_the_provider_and_variable(plan, monkeypatch) -> None:
    monkeypatch.delenv("NIGHTWATCH_EXTERNAL_ID", raising=False)

    with pytest.raises(vendor_access.ExternalIdError) as missing:
        vendor_access.resolve_external_id(plan.providers["nightwatch"])

    assert str(missing.value) == (
        "provider 'nightwatch': externalIdRef env:NIGHTWATCH_EXTERNAL_ID: "
        "environment variable NIGHTWATCH_EXTERNAL_ID is not set (export it before apply)"
    )


@pytest.mark.parametrize("variable", ["AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "DB_PASSWORD"])
def test_credential_variables_are_never_read_as_external_ids(monkeypatch, variable) -> None:
    monkeypatch.setenv(variable, "s3cr3t-value")

    with pytest.raises(vendor_access.ExternalIdError) as refused:
        vendor_access.resolve_external_id(_vendor(f"env:{variable}"))

    assert str(refused.value) == (
        f"provider 'nightwatch': externalIdRef env:{variable}: {variable} holds credentials, never an external id; "
        "refused"
    )
    assert "s3cr3t-value" not in str(refused.value)


@pytest.fixture
def aws(monkeypatch):
    for var, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }.items():
        monkeypatch.setenv(var, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield


def _vendor(ref: str):
    return SimpleNamespace(name="nightwatch", external_id_ref=ref)


def test_external_id_from_ssm_and_secrets_manager(aws) -> None:
    boto3.client("ssm").put_parameter(Name="/vendors/nightwatch/external-id", Value="from-ssm", Type="SecureString")
    boto3.client("secretsmanager").create_secret(Name="vendors/nightwatch", SecretString="from-sm")

    assert vendor_access.resolve_external_id(_vendor("ssm:/vendors/nightwatch/external-id")) == "from-ssm"
    assert vendor_access.resolve_external_id(_vendor("secretsmanager:vendors/nightwatch")) == "from-sm"


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("ssm:/missing", "provider 'nightwatch': externalIdRef ssm:/missing: could not be read: ParameterNotFound"),
        (
            "secretsmanager:missing",
            "provider 'nightwatch': externalIdRef secretsmanager:missing: could not be read: ResourceNotFoundException",
        ),
        (
            "vault:x",
            "provider 'nightwatch': externalIdRef vault:x: unknown reference scheme 'vault' (use env:, ssm: or secretsmanager:)",
        ),
    ],
)
def test_unreadable_external_id_names_the_reference(aws, ref, message) -> None:
    with pytest.raises(vendor_access.ExternalIdError) as failed:
        vendor_access.resolve_external_id(_vendor(ref))

    assert str(failed.value) == message


def test_external_ids_are_read_through_the_targets_clients(aws, plan, monkeypatch) -> None:
    """The CLI resolves references with the target's clients (the sandbox or AWS), not the process defaults."""
    boto3.client("ssm", region_name="eu-central-1").put_parameter(
        Name="/vendors/nightwatch/external-id", Value="from-target", Type="SecureString"
    )
    asked: list[str] = []

    def target_client(service: str):
        asked.append(service)
        return boto3.client(service, region_name="eu-central-1")

    vendor = SimpleNamespace(name="nightwatch", external_id_ref="ssm:/vendors/nightwatch/external-id")
    with_ssm = SimpleNamespace(providers={"nightwatch": vendor, "aws": SimpleNamespace(name="aws", external_id_ref=None)})

    assert vendor_access.resolve_external_ids(with_ssm, target_client) == {"nightwatch": "from-target"}
    assert asked == ["ssm"]


def _two_partner_plan():
    from provision.schemas.model import build_plan

    vendor = {"type": "bpo", "country": "IE", "contacts": ["ops@vendor.example"]}
    return build_plan(
        {
            "apiVersion": "provision/v1",
            "kind": "OutsourcingPlan",
            "metadata": {"name": "acme-prod", "owner": "platform@acme.example"},
            "spec": {
                "environment": "prod",
                "region": "eu-west-1",
                "dataResidency": "eu",
                "compliance": ["gdpr"],
                "providers": {
                    "aws": {"type": "cloud"},
                    "alpha": {**vendor, "accountId": "111111111111", "externalIdRef": "env:ALPHA_EXTERNAL_ID"},
                    "beta": {**vendor, "accountId": "222222222222", "externalIdRef": "env:BETA_EXTERNAL_ID"},
                },
                "functions": {
                    "exchange": {
                        "type": "data-exchange",
                        "provider": "aws",
                        "dataExchange": {"retentionDays": 30, "partners": ["alpha", "beta"]},
                    }
                },
            },
        }
    )


def test_each_partners_vendor_role_reaches_its_own_prefix_only(graph_of, account_id, monkeypatch) -> None:
    """Regression: every vendor role used to be built with the last provider's scope (a late-binding lambda)."""
    from provision.stacks.functions import data_exchange

    monkeypatch.setenv("ALPHA_EXTERNAL_ID", "alpha-secret")
    monkeypatch.setenv("BETA_EXTERNAL_ID", "beta-secret")
    plan = _two_partner_plan()

    def run():
        ctx = FunctionContext(plan=plan, function=plan.functions["exchange"], account_id=account_id)
        roles = vendor_access.build_vendor_roles(plan, account_id, {"exchange": data_exchange.build(ctx)})
        return {name: role.arn for name, role in roles.items()}

    graph = graph_of(run)
    bucket = graph["exchange-drop-zone"]["arn"]
    for partner, other in (("alpha", "beta"), ("beta", "alpha")):
        role = graph[f"vendor-access-{partner}"]
        statements = {s["Sid"]: s for s in _policies(role)["operate-exchange"]["Statement"]}
        assert statements["ExchangeFiles"]["Resource"] == [f"{bucket}/partners/{partner}/*"]
        assert statements["ListExchange"]["Condition"] == {"StringLike": {"s3:prefix": [f"partners/{partner}/*"]}}
        boundary = json.loads(role["permissions_boundary"])["Statement"]
        bounded = [r for s in boundary if s["Effect"] == "Allow" for r in s["Resource"] if r.startswith(f"{bucket}/")]
        assert bounded == [f"{bucket}/partners/{partner}/*"]
        everything = json.dumps(role["inline_policies"]) + role["permissions_boundary"]
        assert f"partners/{other}" not in everything


def test_the_claims_bpo_of_us_healthcare_reaches_its_prefix_not_the_whole_drop_zone(graph_of, account_id, monkeypatch) -> None:
    """Regression: the claims BPO's role was built with the SOC's scope, which has no prefix: the whole drop zone."""
    from pathlib import Path

    from provision.validation.pipeline import load_plan
    from provision.stacks.functions import data_exchange

    monkeypatch.setenv("CLAIMSCO_EXTERNAL_ID", "cc-secret-456")
    monkeypatch.setenv("SENTRY_SOC_EXTERNAL_ID", "soc-secret-789")
    plan, _ = load_plan(Path(__file__).resolve().parents[2] / "examples" / "us-healthcare.yaml")

    def run():
        ctx = FunctionContext(plan=plan, function=plan.functions["claims-exchange"], account_id=account_id)
        components = {
            "claims-exchange": data_exchange.build(ctx),
            "soc": SimpleNamespace(outputs={}),  # the SOC's program is not under test here
        }
        roles = vendor_access.build_vendor_roles(plan, account_id, components)
        return {name: role.arn for name, role in roles.items()}

    graph = graph_of(run)
    bucket = graph["claims-exchange-drop-zone"]["arn"]
    files = {s["Sid"]: s for s in _policies(graph["vendor-access-claimsco"])["operate-claims-exchange"]["Statement"]}

    assert files["ExchangeFiles"]["Resource"] == [f"{bucket}/partners/claimsco/*"]
    assert files["ListExchange"]["Condition"] == {"StringLike": {"s3:prefix": ["partners/claimsco/*"]}}
    assert f'"{bucket}/*"' not in graph["vendor-access-claimsco"]["permissions_boundary"]
