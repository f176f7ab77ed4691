"""Placeholders for a plan's ExternalId references in the sandbox's SSM and Secrets Manager.

The sandbox trusts nobody, so any value will do for a demo; each placeholder
is random and never printed. References to environment variables cannot be
seeded from here: the caller sets those (the Makefile's demo does).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, Callable

from botocore.exceptions import ClientError

from provision.schemas.model import Plan

ALREADY_THERE = frozenset({"ParameterAlreadyExists", "ResourceExistsException"})


@dataclass(frozen=True)
class Seeded:
    provider: str
    ref: str
    outcome: str  # created | present | environment


def seed_external_ids(plan: Plan, make_client: Callable[[str], Any]) -> list[Seeded]:
    """Create every ssm: and secretsmanager: reference of `plan` that does not exist yet."""
    done = []
    for provider in plan.providers.values():
        ref = provider.external_id_ref
        if not ref:
            continue
        scheme, _, name = ref.partition(":")
        placeholder = f"sandbox-{secrets.token_hex(12)}"
        try:
            if scheme == "ssm":
                make_client("ssm").put_parameter(Name=name, Value=placeholder, Type="SecureString", Overwrite=False)
            elif scheme == "secretsmanager":
                make_client("secretsmanager").create_secret(Name=name, SecretString=placeholder)
            else:
                done.append(Seeded(provider.name, ref, "environment"))
                continue
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in ALREADY_THERE:
                raise
            done.append(Seeded(provider.name, ref, "present"))
            continue
        done.append(Seeded(provider.name, ref, "created"))
    return done
