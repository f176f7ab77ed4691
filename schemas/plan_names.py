"""Every AWS name a plan's stack gives, derived offline for `provision validate`.

The kinds whose names AWS keeps unique (buckets, roles, trails, vaults, topics,
rules, ...), each with the plan element it comes from, so a clash or a name
AWS would refuse points at file:line:column. Monitoring alarms and their rules
are left out: their names carry the watched function's name and a digest of
it (schemas.naming), so they cannot clash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from provision.schemas import function_types
from provision.schemas.model import Function, Path, Plan
from provision.schemas.naming import physical_name

# Offline, the account is unknown; names differ from the deployed ones only in their digest.
OFFLINE_ACCOUNT = "000000000000"


@dataclass(frozen=True)
class PlannedName:
    kind: str  # a key of schemas.naming.KINDS
    name: str
    path: Path  # the plan element the name comes from
    what: str  # for messages: "the drop-zone bucket of `claims`"
    # Where AWS keeps the name unique: "" for the account and region, else the parent resource.
    scope: str = ""


def plan_names(plan: Plan, account_id: str = OFFLINE_ACCOUNT) -> list[PlannedName]:
    names: list[PlannedName] = []
    for function in plan.functions.values():
        for suffix, kind, what, path in _of_function(plan, function):
            name = physical_name(plan.name, plan.environment, plan.region, account_id, function.name, suffix, kind=kind)
            names.append(PlannedName(kind, name, path, f"the {what} of `{function.name}`"))
        names.extend(_transfer_users(plan, function))
    for provider in _vendors(plan):
        name = physical_name(plan.name, plan.environment, plan.region, account_id, "", f"vendor-{provider}",
                             kind="iam-role")
        names.append(PlannedName("iam-role", name, ("spec", "providers", provider), f"the vendor role of `{provider}`"))
    if plan.budget:
        name = physical_name(plan.name, plan.environment, plan.region, account_id, "", "budget", kind="budget")
        names.append(PlannedName("budget", name, ("spec", "budget"), "the plan's budget"))
    return names


Entry = tuple[str, str, str, Path]  # suffix, kind, what, path


def _of_function(plan: Plan, fn: Function) -> Iterator[Entry]:
    if fn.budget:
        yield "budget", "budget", "budget", fn.path + ("budget",)
    # Each type's declaration names what gives its names (one of the *_names below for a built-in).
    names = function_types.get(fn.type).names
    if names is not None:
        yield from function_types.resolve(names)(plan, fn)


def hosting_names(plan: Plan, fn: Function) -> Iterator[Entry]:
    yield "site", "s3-bucket", "site bucket", fn.path
    yield "logs", "s3-bucket", "access-log bucket", fn.path


def backup_names(plan: Plan, fn: Function) -> Iterator[Entry]:
    at = fn.path
    yield "backup", "kms-alias", "backup key alias", at
    yield "vault", "backup-vault", "backup vault", at
    yield "backup-events", "sns-topic", "backup events topic", at
    yield "plan", "backup-plan", "backup plan", at
    yield "backup", "iam-role", "backup role", at
    if fn.settings.get("copyToRegion"):
        yield "backup-copy", "kms-alias", "copy key alias", at
        yield "vault-copy", "backup-vault", "copy vault", at


def network_names(plan: Plan, fn: Function) -> Iterator[Entry]:
    yield "flow-logs", "kms-alias", "flow-log key alias", fn.path
    yield "flow-logs", "iam-role", "flow-log role", fn.path


def monitoring_names(plan: Plan, fn: Function) -> Iterator[Entry]:
    at = fn.path
    yield "ops", "dashboard", "dashboard", at
    yield "oncall", "kms-alias", "on-call key alias", at
    yield "oncall", "sns-topic", "on-call topic", at
    if plan.providers[fn.provider].external:
        yield "ops", "iam-role", "operations role", at


def security_names(plan: Plan, fn: Function) -> Iterator[Entry]:
    services, at = set(fn.settings.get("services", ())), fn.path
    yield "security", "kms-alias", "security key alias", at
    yield "alerts", "sns-topic", "alerts topic", at
    if "cloudtrail" in services:
        yield "trail", "cloudtrail-trail", "trail", at
        yield "trail", "s3-bucket", "trail bucket", at
        yield "trail-tampering", "eventbridge-rule", "trail-tampering rule", at
    if services & {"guardduty", "config"}:
        yield "security-logs", "s3-bucket", "security-logs bucket", at
    if "guardduty" in services:
        yield "guardduty", "eventbridge-rule", "GuardDuty findings rule", at
    if "securityhub" in services:
        yield "securityhub", "eventbridge-rule", "Security Hub findings rule", at
    if "config" in services:
        yield "config", "iam-role", "Config role", at
        yield "config", "config-recorder", "Config recorder", at


def _partners(fn: Function) -> list[tuple[str, Path]]:
    listed = fn.settings.get("partners")
    if listed is None:
        return [(fn.provider, fn.path + ("provider",))]
    return [(p, fn.settings_path + ("partners", i)) for i, p in enumerate(listed)]


def exchange_names(plan: Plan, fn: Function) -> Iterator[Entry]:
    yield "drop-zone", "s3-bucket", "drop-zone bucket", fn.path
    yield "drop-zone-logs", "s3-bucket", "drop-zone access-log bucket", fn.path
    sftp = fn.settings.get("sftp", False)
    if sftp:
        yield "sftp-logging", "iam-role", "SFTP logging role", fn.path
    for partner, path in _partners(fn):
        if partner in plan.providers and plan.providers[partner].external:
            yield f"partner-{partner}", "iam-role", f"role of partner `{partner}`", path
        if sftp:
            yield f"sftp-{partner}", "iam-role", f"SFTP role of partner `{partner}`", path


def _transfer_users(plan: Plan, fn: Function) -> Iterator[PlannedName]:
    # Transfer Family users are the partners' own names, on the function's own server.
    if fn.type == "data-exchange" and fn.settings.get("sftp", False):
        for partner, path in _partners(fn):
            yield PlannedName("transfer-user", partner, path, f"the SFTP user of partner `{partner}` in `{fn.name}`",
                              scope=fn.name)


def _vendors(plan: Plan) -> list[str]:
    """External providers that operate a function, and so get a vendor role (stacks.functions.vendor_access)."""
    operating = set()
    for fn in plan.functions.values():
        operating.add(fn.provider)
        if fn.type == "data-exchange":
            operating.update(fn.settings.get("partners", ()))
    return [name for name, p in plan.providers.items() if p.external and name in operating]
