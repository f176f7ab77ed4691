"""The roles each external vendor gets, built by the stacks' own policy builders.

A vendor may hold several roles, each made by the program that owns it:
- its vendor role (stacks.functions.vendor_access), one inline policy per
  function it operates or is a data-exchange partner of;
- an operations role per monitoring function it runs (stacks.functions.monitoring);
- a partner role per data exchange it is a partner of, and, with SFTP, the
  role its SFTP user acts with (stacks.functions.data_exchange).
Given real outputs and account (after apply) the documents are exactly the
deployed ones; offline they carry the placeholders of access.placeholders.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from provision.schemas import naming
from provision.schemas.model import Function, Plan, Provider
from provision.stacks.access.placeholders import ACCOUNT, partners, plan_outputs
from provision.stacks.functions.data_exchange_policies import partner_statements
from provision.stacks.functions.iam_policies import Scope, Statement, guard_rail_boundary, statements_for
from provision.stacks.functions.monitoring_access import read_statements, runbook_statements, watched_arns
from provision.stacks.functions.vendor_facts import MAX_SESSION_SECONDS, operated_by


@dataclass(frozen=True)
class Role:
    kind: str  # vendor | operations | partner | sftp-user
    name: str
    arn: str
    trust: str  # who may assume it
    max_session_seconds: int | None  # None: assumed by an AWS service, not by the vendor
    policies: Mapping[str, Any]  # inline policy name -> document (parsed JSON)
    boundary: Any | None  # the permissions boundary document
    policy_functions: Mapping[str, str]  # inline policy name -> the function it operates


@dataclass(frozen=True)
class VendorRoles:
    vendor: Provider
    functions: tuple[str, ...]  # what it operates, in plan order
    roles: tuple[Role, ...] = field(default_factory=tuple)


def external_vendors(plan: Plan) -> list[Provider]:
    """Every external provider that operates something, in plan order."""
    return [p for p in plan.providers.values() if p.external and operated_by(plan, p.name)]


def role_name(plan: Plan, function: str, suffix: str, account: str) -> str:
    """A role's physical name, as the stacks make it; offline the hash it ends with is `{hash}`."""
    name = naming.physical_name(plan.name, plan.environment, plan.region, account, function, suffix, kind="iam-role")
    return name[: -naming.DIGEST_LENGTH] + "{hash}" if account == ACCOUNT else name


def vendor_roles(plan: Plan, vendor: str, account: str = ACCOUNT, outputs: Mapping[str, Mapping[str, Any]] | None = None) -> VendorRoles:
    """The roles `vendor` gets from `plan` in `account`, given the functions' `outputs` (placeholders by default)."""
    provider = plan.providers[vendor]
    outputs = outputs if outputs is not None else plan_outputs(plan, account)
    functions = operated_by(plan, vendor)
    roles: list[Role] = []
    trust = f"account {provider.account_id}, with the ExternalId of {provider.external_id_ref}"

    def arn(name: str) -> str:
        return f"arn:aws:iam::{account}:role/{name}"

    if provider.external and functions:
        scope = Scope(plan=plan, account_id=account, region=plan.region, provider=vendor)
        per_fn = {f"operate-{f.name}": statements_for(f, outputs[f.name], scope) for f in functions}
        name = role_name(plan, "", f"vendor-{vendor}", account)
        roles.append(_role("vendor", name, arn(name), trust, MAX_SESSION_SECONDS, per_fn,
                           {p: p.removeprefix("operate-") for p in per_fn}))  # fmt: skip
    for fn in functions:
        if fn.type == "monitoring" and fn.provider == vendor and provider.external:
            roles.append(_ops_role(plan, fn, outputs, account, trust, arn))
        if fn.type == "data-exchange" and vendor in partners(fn):
            roles.extend(_partner_roles(plan, fn, vendor, outputs[fn.name], account, trust, arn))
    return VendorRoles(provider, tuple(f.name for f in functions), tuple(roles))


Outputs = Mapping[str, Mapping[str, Any]]


def _role(kind: str, name: str, arn: str, trust: str, session: int | None,
          statements: Mapping[str, list[Statement]], policy_functions: Mapping[str, str]) -> Role:  # fmt: skip
    policies = {p: {"Version": "2012-10-17", "Statement": s} for p, s in statements.items()}
    boundary = json.loads(guard_rail_boundary(s for stmts in statements.values() for s in stmts))
    return Role(kind, name, arn, trust, session, policies, boundary, policy_functions)


def _ops_role(plan: Plan, fn: Function, outputs: Outputs, account: str, trust: str, arn: Callable[[str], str]) -> Role:
    scope = Scope(plan=plan, account_id=account, region=plan.region)
    watched = [plan.functions[w] for w in fn.settings["watches"]]
    peer = {w.name: dict(outputs[w.name]) for w in watched}
    alarms = list(outputs[fn.name].get("alarm_arns") or ())
    statements = {"read": read_statements(watched, peer, alarms, scope)}
    actions = list(fn.settings.get("runbookActions", ()))
    runbook = runbook_statements(actions, [w.name for w in watched], watched_arns(peer), scope)
    if runbook:  # as apply: no runbook policy when no action has anything to act on
        statements["runbook"] = runbook
    name = role_name(plan, fn.name, "ops", account)
    return _role("operations", name, arn(name), trust, MAX_SESSION_SECONDS, statements, {p: fn.name for p in statements})


def _partner_roles(
    plan: Plan, fn: Function, vendor: str, out: Mapping[str, Any], account: str, trust: str, arn: Callable[[str], str]
) -> list[Role]:
    bucket = str(out.get("bucket_name") or str(out["bucket_arn"]).removeprefix("arn:aws:s3:::"))
    statements = {"drop-zone": partner_statements(bucket, vendor, str(out["kms_key_arn"]))}
    roles = []
    if plan.providers[vendor].external:
        name = role_name(plan, fn.name, f"partner-{vendor}", account)
        roles.append(_role("partner", name, arn(name), trust, MAX_SESSION_SECONDS, statements, {"drop-zone": fn.name}))
    if fn.settings.get("sftp"):
        name = role_name(plan, fn.name, f"sftp-{vendor}", account)
        sftp_trust = f"Transfer Family, for SFTP user {vendor}"
        roles.append(_role("sftp-user", name, arn(name), sftp_trust, None, statements, {"drop-zone": fn.name}))
    return roles
