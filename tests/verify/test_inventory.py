"""From an exported deployment to live resources: kinds, owners, regions, no secrets; the registry's coverage."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pulumi.dynamic
import pytest

import provision.stacks.providers as providers_pkg
from provision.stacks.verify.checks.tags import TAG_READERS, required_tags
from provision.stacks.verify.inventory import KIND_MARKERS, SECRET_SIGNATURE, live_resources, resource_kind
from provision.stacks.verify.registry import CHECKS, check_ids

STACK = "urn:pulumi:prod::brightdesk-prod::pulumi:pulumi:Stack::brightdesk-prod-prod"
DYNAMIC = "pulumi-python:dynamic:Resource"
SECRET = {SECRET_SIGNATURE: "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "v1:abc"}


def _urn(rtype: str, name: str, parent_type: str = "") -> str:
    chain = f"{parent_type}${rtype}" if parent_type else rtype
    return f"urn:pulumi:prod::brightdesk-prod::{chain}::{name}"


WEB = _urn("provision:function:Hosting", "web")
DEPLOYMENT = {
    "manifest": {},
    "resources": [
        {"urn": STACK, "type": "pulumi:pulumi:Stack", "custom": False},
        {"urn": "urn:pulumi:prod::brightdesk-prod::pulumi:providers:pulumi-python::default", "type": "pulumi:providers:pulumi-python", "custom": True, "id": "p"},
        {"urn": WEB, "type": "provision:function:Hosting", "custom": False, "parent": STACK},
        {"urn": _urn(DYNAMIC, "web-site", "provision:function:Hosting"), "type": DYNAMIC, "custom": True, "id": "site-bucket", "parent": WEB,
         "outputs": {"__provider": SECRET, "bucket_name": "site-bucket", "arn": "arn:aws:s3:::site-bucket", "region": "eu-west-1", "kms_key_arn": None}},
        {"urn": _urn(DYNAMIC, "web-key", "provision:function:Hosting"), "type": DYNAMIC, "custom": True, "id": "k1", "parent": WEB,
         "outputs": {"key_id": "k1", "arn": "arn:aws:kms:eu-central-1:123456789012:key/k1"}},
        {"urn": _urn(DYNAMIC, "vendor-access-nightwatch"), "type": DYNAMIC, "custom": True, "id": "vendor-role", "parent": STACK,
         "outputs": {"role_name": "vendor-role", "arn": "arn:aws:iam::123456789012:role/vendor-role", "assume_role_policy": SECRET}},
        {"urn": _urn("pulumi-python:dynamic/aws:Budget", "budget-plan", "provision:plan:Budgets"), "type": "pulumi-python:dynamic/aws:Budget",
         "custom": True, "id": "b", "parent": _urn("provision:plan:Budgets", "budgets"), "outputs": {"arn": "arn:aws:budgets::123456789012:budget/b"}},
        {"urn": _urn(DYNAMIC, "gone"), "type": DYNAMIC, "custom": True, "id": "x", "delete": True, "outputs": {"bucket_name": "x"}},
    ],
}  # fmt: skip


def test_live_resources_of_a_deployment():
    got = [(r.name, r.kind, r.function, r.id, r.region, r.arn) for r in live_resources(DEPLOYMENT, "eu-west-1")]
    assert got == [
        ("web-site", "S3Bucket", "web", "site-bucket", "eu-west-1", "arn:aws:s3:::site-bucket"),
        ("web-key", "KmsKey", "web", "k1", "eu-central-1", "arn:aws:kms:eu-central-1:123456789012:key/k1"),
        ("vendor-access-nightwatch", "IamRole", None, "vendor-role", "eu-west-1", "arn:aws:iam::123456789012:role/vendor-role"),
        ("budget-plan", "Budget", None, "b", "eu-west-1", "arn:aws:budgets::123456789012:budget/b"),
    ]


def test_secrets_engine_keys_and_nones_are_left_out():
    site, _, role, _ = live_resources(DEPLOYMENT, "eu-west-1")
    assert set(site.outputs) == {"bucket_name", "arn", "region"}
    assert "assume_role_policy" not in role.outputs


def test_nothing_deployed():
    assert live_resources(None, "eu-west-1") == []
    assert live_resources({"resources": [{"urn": STACK, "type": "pulumi:pulumi:Stack"}]}, "eu-west-1") == []


def _dynamic_resources() -> list[tuple[type, type]]:
    """(Resource class, provider class) of every provider module."""
    found = []
    for info in pkgutil.iter_modules(providers_pkg.__path__):
        module = importlib.import_module(f"{providers_pkg.__name__}.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, pulumi.dynamic.Resource) and cls.__module__ == module.__name__:
                found.append((cls, getattr(module, f"{cls.__name__}Provider")))
    return found


@pytest.mark.parametrize(("resource_cls", "provider_cls"), _dynamic_resources(), ids=lambda c: c.__name__)
def test_each_provider_is_recognised_by_a_marker_it_always_has(resource_cls, provider_cls):
    params = inspect.signature(resource_cls.__init__).parameters
    keys = (set(params) | set(provider_cls.OUTPUTS)) - {"self", "resource_name", "opts"}
    first = next(((kind, marker) for kind, marker in KIND_MARKERS if marker in keys), None)
    assert first is not None and first[0] == resource_cls.__name__, f"{resource_cls.__name__} is taken for {first}"
    marker = first[1]
    if marker in params:
        assert params[marker].default is not None, f"{marker} may be None, and the engine drops None outputs"


def test_every_provider_has_a_marker_and_every_marker_a_provider():
    assert {kind for kind, _ in KIND_MARKERS} == {cls.__name__ for cls, _ in _dynamic_resources()}


def test_a_type_token_that_names_its_kind_wins():
    assert resource_kind("pulumi-python:dynamic/aws:S3Bucket", {}) == "S3Bucket"
    assert resource_kind(DYNAMIC, {"nothing": "known"}) == ""


def test_registry_checks_kinds_the_inventory_knows_and_tags_everything_taggable():
    kinds = {kind for kind, _ in KIND_MARKERS}
    assert set(CHECKS) <= kinds
    assert all(required_tags in CHECKS[kind] for kind in TAG_READERS)
    assert kinds - set(CHECKS) == {"BackupSelection", "CloudWatchDashboard"}  # AWS cannot tag them; nothing else to audit


def test_check_ids():
    assert check_ids() == [
        "s3.encryption", "s3.public-access-block", "s3.versioning", "s3.tls-only", "tags", "kms.rotation",
        "sns.encryption", "logs.encryption", "cloudtrail.logging", "cloudtrail.log-validation", "cloudtrail.multi-region",
        "cloudtrail.kms", "guardduty.enabled", "securityhub.enabled", "securityhub.standards", "config.recording",
        "backup.vault-key", "backup.vault-lock", "backup.vault-guard", "iam.vendor-trust", "iam.session-duration",
        "iam.permissions-boundary", "iam.least-privilege", "backup.plan-schedule", "backup.plan-retention",
        "backup.plan-copy", "network.flow-log-retention",
    ]  # fmt: skip
