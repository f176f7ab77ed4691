"""Cross-account access for external providers (type msp or bpo).

Each external provider that operates a function gets one IAM role:
- trusted only by the provider's own account (its root, so the provider
  decides which of its people may assume it), and only with the ExternalId
  agreed with it;
- sessions of one hour at most;
- one inline policy per function it operates (its `provider`, or a
  data-exchange `partner`), from stacks.functions.iam_policies, scoped to
  that function's resources;
- a permissions boundary capping the role at those policies and denying the
  guard-rail actions, whatever gets attached to it later.

The ExternalId is read at apply time from the plan's `externalIdRef`
(`env:VAR`, `ssm:/parameter/name` or `secretsmanager:secret-id`) and handled
as a Pulumi secret: it is encrypted in state and never printed.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Mapping

import pulumi
from botocore.exceptions import ClientError

from provision.policies.references import is_credential_variable
from provision.schemas.model import Function, Plan, Provider
from provision.stacks.functions.base import (
    TAG_ENVIRONMENT,
    TAG_FUNCTION,
    TAG_PLAN,
    TAG_PROVIDER,
    FunctionComponent,
    physical_name,
)
from provision.stacks.functions.vendor_facts import MAX_SESSION_SECONDS, ExternalIdError, operated_by
from provision.stacks.functions.iam_policies import Scope, document, guard_rail_boundary, statements_for
from provision.stacks.providers.base import client, error_code
from provision.stacks.providers.iam_role import IamRole, trust_policy

VENDOR_ACCESS = "vendor-access"


def resolve_external_id(provider: Provider, make_client: Callable[[str], Any] = client) -> str:
    """The value behind `provider.external_id_ref`. Never log or print it.

    `make_client(service)` must talk to the target (sandbox or AWS) for ssm:
    and secretsmanager: references; the CLI passes the target's own factory.
    """
    ref = provider.external_id_ref or ""
    scheme, _, target = ref.partition(":")
    where = f"provider '{provider.name}': externalIdRef {ref}"
    if scheme == "env":
        if is_credential_variable(target):
            # Checked again here, whatever validate's config said: the value would land in a trust policy.
            raise ExternalIdError(f"{where}: {target} holds credentials, never an external id; refused")
        value = os.environ.get(target, "")
        if not value:
            raise ExternalIdError(f"{where}: environment variable {target} is not set (export it before apply)")
        return value
    try:
        if scheme == "ssm":
            value = make_client("ssm").get_parameter(Name=target, WithDecryption=True)["Parameter"]["Value"]
        elif scheme == "secretsmanager":
            value = make_client("secretsmanager").get_secret_value(SecretId=target).get("SecretString", "")
        else:
            raise ExternalIdError(f"{where}: unknown reference scheme '{scheme}' (use env:, ssm: or secretsmanager:)")
    except ClientError as exc:
        raise ExternalIdError(f"{where}: could not be read: {error_code(exc)}") from None
    if not value:
        raise ExternalIdError(f"{where}: the referenced value is empty")
    return value


def resolve_external_ids(
    plan: Plan, make_client: Callable[[str], Any] = client, *, where: str = "", seed_command: str = ""
) -> dict[str, str]:
    """Every external provider's ExternalId, read before the engine starts so a
    missing secret fails fast with a clear message.

    Every reference that cannot be read is reported in one ExternalIdError,
    each with the command that creates it; `where` says what was read (account,
    region, target). With `seed_command` (the sandbox), that command is what
    creates ssm: and secretsmanager: values.
    """
    values: dict[str, str] = {}
    problems: list[str] = []
    for provider in plan.providers.values():
        if not provider.external_id_ref:
            continue
        try:
            values[provider.name] = resolve_external_id(provider, make_client)
        except ExternalIdError as error:
            problems.append(f"  - {error}\n    {creation_command(provider, plan.region, seed_command)}")
    if problems:
        head = f"Cannot read the ExternalId of {len(problems)} provider(s)" + (f" in {where}" if where else "") + ":"
        raise ExternalIdError("\n".join([head, *problems]))
    return values


def creation_command(provider: Provider, region: str, seed_command: str = "") -> str:
    """How to create the value behind `provider.external_id_ref` (the value itself is a placeholder)."""
    scheme, _, target = (provider.external_id_ref or "").partition(":")
    value = f"'<the ExternalId agreed with {provider.name}>'"
    if scheme == "env":
        return f"set it: export {target}={value}"
    if seed_command and scheme in ("ssm", "secretsmanager"):
        return f"create a placeholder: {seed_command}"
    if scheme == "ssm":
        return f"create it: aws ssm put-parameter --region {region} --type SecureString --name {target} --value {value}"
    if scheme == "secretsmanager":
        return f"create it: aws secretsmanager create-secret --region {region} --name {target} --secret-string {value}"
    return "use an env:, ssm: or secretsmanager: reference"


def vendor_role_name(plan: Plan, provider: str, account_id: str) -> str:
    """The role's name, known before it exists (IAM names are at most 64 characters)."""
    return physical_name(plan, "", f"vendor-{provider}", account_id, kind="iam-role")


def vendor_role_arn(plan: Plan, provider: str, account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:role/{vendor_role_name(plan, provider, account_id)}"


def build_vendor_roles(
    plan: Plan,
    account_id: str,
    components: Mapping[str, FunctionComponent],
    *,
    opts: pulumi.ResourceOptions | None = None,
    external_ids: Mapping[str, str] | None = None,
) -> dict[str, IamRole]:
    """One least-privilege cross-account role per external provider that operates a function."""
    roles: dict[str, IamRole] = {}
    for provider in plan.providers.values():
        scope = Scope(plan=plan, account_id=account_id, region=plan.region, provider=provider.name)
        functions = operated_by(plan, provider.name)
        if not provider.external or not functions:
            continue
        known = (external_ids or {}).get(provider.name)
        external_id = pulumi.Output.secret(known or resolve_external_id(provider))
        missing = sorted(f.name for f in functions if f.name not in components)
        if missing:
            raise KeyError(f"vendor access for '{provider.name}': no component built for {', '.join(missing)}")
        outputs = pulumi.Output.from_input({f.name: dict(components[f.name].outputs) for f in functions})
        # Bind this provider's functions and scope now: the callback runs after the loop has moved on.
        policies = outputs.apply(
            lambda o, fs=functions, sc=scope: {f.name: statements_for(f, o[f.name], sc) for f in fs}
        )
        roles[provider.name] = IamRole(
            f"{VENDOR_ACCESS}-{provider.name}",
            role_name=vendor_role_name(plan, provider.name, account_id),
            assume_role_policy=external_id.apply(
                lambda value, account=provider.account_id: trust_policy(
                    {"AWS": f"arn:aws:iam::{account}:root"}, external_id=value
                )
            ),
            description=f"{provider.name} ({provider.type}) operates {', '.join(f.name for f in functions)} of {plan.name}",
            max_session_duration=MAX_SESSION_SECONDS,
            permissions_boundary=policies.apply(
                lambda p: guard_rail_boundary(s for stmts in p.values() for s in stmts)
            ),
            inline_policies={
                f"operate-{f.name}": policies.apply(lambda p, n=f.name: document(p[n])) for f in functions
            },
            tags=_tags(plan, provider),
            # The trust policy carries the ExternalId: keep it encrypted in state.
            opts=pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(additional_secret_outputs=["assume_role_policy"])
            ),
        )
    return roles


def _tags(plan: Plan, provider: Provider) -> dict[str, Any]:
    return {
        TAG_PLAN: plan.name,
        TAG_FUNCTION: VENDOR_ACCESS,
        TAG_PROVIDER: provider.name,
        TAG_ENVIRONMENT: plan.environment,
    }
