"""AWS physical names of a plan's resources, computable without Pulumi.

A name is the readable `plan-environment-function-suffix`, cut to its kind's
length limit, then `-` and a digest of everything that tells two names apart
(plan, environment, region, account, function, suffix and kind). Two distinct
resources therefore never share a name, however much the cut removes.
`provision validate` computes them offline (schemas.plan_names) and must not
import the stacks (Pulumi); the stacks take every name from `NameBook`, which
keeps the names a deployed stack already uses.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping

DIGEST_LENGTH = 8


@dataclass(frozen=True)
class Kind:
    """AWS's rules for the names of one kind of resource."""

    label: str
    max_len: int
    min_len: int = 1
    # Names AWS refuses whatever their length (S3's reserved prefixes and suffixes).
    reserved_prefixes: tuple[str, ...] = ()
    reserved_suffixes: tuple[str, ...] = ()


# Limits from each service's API reference (CreateBucket, CreateRole, PutRule, ...).
KINDS: Mapping[str, Kind] = {
    "s3-bucket": Kind("S3 bucket", 63, 3, ("xn--", "sthree-", "amzn-s3-demo-"),
                      ("-s3alias", "--ol-s3", "--x-s3", "--table-s3")),
    "iam-role": Kind("IAM role", 64),
    "eventbridge-rule": Kind("EventBridge rule", 64),
    "cloudtrail-trail": Kind("CloudTrail trail", 128, 3),
    "backup-vault": Kind("Backup vault", 50, 2),
    "backup-plan": Kind("Backup plan", 50),
    "log-group": Kind("CloudWatch log group", 512),
    "sns-topic": Kind("SNS topic", 256),
    "dashboard": Kind("CloudWatch dashboard", 255),
    "alarm": Kind("CloudWatch alarm", 255),
    "budget": Kind("budget", 100),
    # 256 with the `alias/` prefix.
    "kms-alias": Kind("KMS alias", 250),
    "config-recorder": Kind("Config recorder", 256),
    "transfer-user": Kind("Transfer Family user", 100, 3),
    "name-tag": Kind("Name tag", 256),
}

_UNSAFE = re.compile(r"[^a-z0-9-]+")


def readable_prefix(plan_name: str, environment: str) -> str:
    """`plan-environment`, without doubling an environment the plan name already ends with."""
    if not environment or plan_name == environment or plan_name.endswith(f"-{environment}"):
        return plan_name
    return f"{plan_name}-{environment}"


def digest(plan_name: str, environment: str, region: str, account_id: str, function: str, suffix: str,
           kind: str) -> str:
    # The separator cannot occur in any part, so distinct parts never hash alike.
    key = "\0".join((plan_name, environment, region, account_id, function, suffix, kind))
    return hashlib.sha256(key.encode()).hexdigest()[:DIGEST_LENGTH]


def physical_name(plan_name: str, environment: str, region: str, account_id: str,
                  function: str, suffix: str = "", *, kind: str) -> str:
    """A deterministic AWS name of `kind`: lowercase letters, digits and hyphens, within its length limit."""
    limit = KINDS[kind].max_len
    readable = "-".join(p for p in (readable_prefix(plan_name, environment), function, suffix) if p)
    readable = _UNSAFE.sub("-", readable.lower()).strip("-")
    tail = digest(plan_name, environment, region, account_id, function, suffix, kind)
    return f"{readable[: limit - DIGEST_LENGTH - 1].rstrip('-')}-{tail}".lstrip("-")


def problem(name: str, kind: str) -> str | None:
    """Why AWS would refuse `name` as a `kind` name; None when it is fine."""
    rules = KINDS[kind]
    if not rules.min_len <= len(name) <= rules.max_len:
        return f"{rules.label} names have {rules.min_len} to {rules.max_len} characters, `{name}` has {len(name)}"
    for prefix in rules.reserved_prefixes:
        if name.startswith(prefix):
            return f"{rules.label} names may not start with `{prefix}` (reserved by AWS)"
    for suffix in rules.reserved_suffixes:
        if name.endswith(suffix):
            return f"{rules.label} names may not end with `{suffix}` (reserved by AWS)"
    return None


# ---- the names a deployed stack already uses ----------------------------------------------------

def legacy_name(plan_name: str, environment: str, region: str, account_id: str, function: str, suffix: str,
                max_len: int) -> str:
    """The name provision gave before names were recorded (digest of plan, environment, region, account).

    Kept only to recognise the resources of stacks deployed then: see NameBook.
    """
    tail = hashlib.sha256(f"{plan_name}/{environment}/{region}/{account_id}".encode()).hexdigest()[:DIGEST_LENGTH]
    parts = (plan_name, environment, function, suffix, tail)
    name = _UNSAFE.sub("-", "-".join(p for p in parts if p).lower()).strip("-")
    if len(name) > max_len:
        name = name[: max_len - DIGEST_LENGTH - 1].rstrip("-") + "-" + tail
    return name


# The lengths names of a kind were cut to before they were recorded: the kind's limit, or 63 (the old default).
_LEGACY_LENGTH = 63


def name_key(function: str, suffix: str, kind: str) -> str:
    """What identifies a name within a stack, as recorded in its `physicalNames` output."""
    return f"{kind}:{function}:{suffix}"


@dataclass
class NameBook:
    """The physical names of one stack run.

    A name the stack recorded (its `physicalNames` output) is kept, so an
    upgrade of the naming never renames, and so never replaces, what is
    deployed. A stack deployed before names were recorded keeps the names its
    state holds (`legacy`: every name found in its resources' inputs). Each
    legacy name goes to one resource of a kind only, even where the old naming
    gave it to two. Anything else gets `physical_name`. `used` is what to record.
    """

    recorded: Mapping[str, str] = field(default_factory=dict)
    legacy: frozenset[str] = frozenset()
    used: dict[str, str] = field(default_factory=dict)

    def name(self, plan_name: str, environment: str, region: str, account_id: str, function: str, suffix: str,
             *, kind: str) -> str:
        key = name_key(function, suffix, kind)
        if key not in self.used:
            self.used[key] = self.recorded.get(key) or self._legacy(
                plan_name, environment, region, account_id, function, suffix, kind
            ) or physical_name(plan_name, environment, region, account_id, function, suffix, kind=kind)
        return self.used[key]

    def _legacy(self, plan_name, environment, region, account_id, function, suffix, kind) -> str | None:
        # Kinds are separate namespaces: a role and a key alias could share a name.
        taken = {name for key, name in self.used.items() if key.startswith(f"{kind}:")}
        for length in dict.fromkeys((KINDS[kind].max_len, _LEGACY_LENGTH)):
            candidate = legacy_name(plan_name, environment, region, account_id, function, suffix, length)
            if candidate in self.legacy and candidate not in taken:
                return candidate
        return None


RECORD_OUTPUT = "physicalNames"
# Inputs of our providers that hold a physical name.
_NAME_INPUTS = ("bucket_name", "role_name", "name", "vault_name", "plan_name", "dashboard_name", "alarm_name",
                "budget_name", "alias", "user_name", "log_group_name")


def book_from_deployment(deployment: Mapping | None) -> NameBook:
    """The NameBook of a stack, from its exported deployment (None: a new stack)."""
    resources = list((deployment or {}).get("resources") or [])
    for resource in resources:
        if resource.get("type") == "pulumi:pulumi:Stack":
            recorded = (resource.get("outputs") or {}).get(RECORD_OUTPUT)
            if isinstance(recorded, Mapping):
                return NameBook(recorded={str(k): str(v) for k, v in recorded.items()})
    return NameBook(legacy=frozenset(_names_in(resources)))


def _names_in(resources: Iterable[Mapping]) -> Iterable[str]:
    for resource in resources:
        if not resource.get("custom") or resource.get("delete"):
            continue
        inputs = resource.get("inputs") or {}
        values = [inputs.get(key) for key in _NAME_INPUTS]
        tags = inputs.get("tags")
        if isinstance(tags, Mapping):
            values.append(tags.get("Name"))
        for value in values:
            if isinstance(value, str):
                yield value.removeprefix("alias/")
