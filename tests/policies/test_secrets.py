"""What PRV-SEC-002 takes for a secret, and what it leaves alone."""

from __future__ import annotations

import pytest

from provision.policies.rules.secrets_inline import what_secret


@pytest.mark.parametrize(
    "value, kind",
    [
        ("AKIAIOSFODNN7EXAMPLE", "an AWS access key id"),
        ("temporary ASIAY34FZKBOKMUTVV7A in use", "an AWS access key id"),
        ("-----BEGIN RSA PRIVATE KEY-----", "a private key"),
        ("-----BEGIN PRIVATE KEY-----", "a private key"),
        ("https://deploy:s3cr3t@git.example.com/repo", "credentials in a URL"),
        ("password=hunter22", "a credential assignment"),
        ("api_key=abcd", "a credential assignment"),
        ("db token: tk-8812-xq", "a credential assignment"),
        ("q7Xv2LmN9pR4tY6wZ1aB3cD5eF8gH0jK", "a high-entropy token of 32 characters"),
        ("rotate wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY soon", "a high-entropy token of 40 characters"),
    ],
)
def test_secrets_are_recognised(value: str, kind: str) -> None:
    assert what_secret(value) == kind


@pytest.mark.parametrize(
    "value",
    [
        "3f786850e387550fdab836ed7e6dc881de23001b",  # a commit hash
        "123e4567-e89b-12d3-a456-426614174000",  # a UUID
        "https://wiki.example.com/runbooks/outsourcing-2026-q3-renewal",
        "ssm:/apps/portal/db-password",
        "env:DB_PASSWORD",
        "secretsmanager:vendors/nightwatch/external-id",
        "the password: policy review is tracked in ticket OPS-1",
        "password rotation every 90 days",
        "docs/exit/nightwatch-2026-password-manager-migration.md",
        "ThisIsALongCamelCaseLabelValueWithoutAnyDigits",
        "platform@example.com",
    ],
)
def test_ordinary_values_are_not_secrets(value: str) -> None:
    assert what_secret(value) is None
