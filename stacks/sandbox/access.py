"""What the sandbox checks for AWS services acting on their own: resource policies and roles.

moto does not ask whether a service principal may use a key, publish to a
topic or assume a role; AWS does, and refuses. `allows` evaluates a
resource or trust policy for one service principal the way IAM does (an
explicit Deny wins, otherwise some Allow must apply; a condition on a key the
request does not carry fails). `assumable_role` is what a service finds when
it assumes a role: the role exists, trusts the service, and has propagated.

The propagation delay (seconds a new role stays invisible to services) is
`settings.iam_propagation_seconds`: set from $PROVISION_SANDBOX_IAM_PROPAGATION
or the server's --iam-propagation-seconds, 0 turns it off.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import os
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

PROPAGATION_ENV = "PROVISION_SANDBOX_IAM_PROPAGATION"
DEFAULT_PROPAGATION_SECONDS = 5.0


@dataclass
class Settings:
    iam_propagation_seconds: float = DEFAULT_PROPAGATION_SECONDS


def settings_from_env() -> Settings:
    raw = os.environ.get(PROPAGATION_ENV)
    return Settings(iam_propagation_seconds=float(raw)) if raw else Settings()


settings = settings_from_env()


class RoleNotAssumable(Exception):
    """The service cannot assume the role; the message says why (for the caller's AWS error)."""


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _matches(patterns: Any, value: str, case_insensitive: bool = False) -> bool:
    for pattern in _as_list(patterns):
        p, v = (str(pattern).lower(), value.lower()) if case_insensitive else (str(pattern), value)
        if fnmatch.fnmatchcase(v, p.replace("?", "[?]")) if "*" in p else p == v:
            return True
    return False


def _principal_matches(principal: Any, service: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        return False
    return service in _as_list(principal.get("Service", [])) or "*" in _as_list(principal.get("AWS", []))


def _values_match(operator: str, expected: list[Any], actual: str) -> bool:
    if operator in ("StringEquals", "ArnEquals"):
        return any(str(e) == actual for e in expected)
    if operator in ("StringEqualsIgnoreCase",):
        return any(str(e).lower() == actual.lower() for e in expected)
    if operator in ("StringLike", "ArnLike"):
        return any(fnmatch.fnmatchcase(actual, str(e)) for e in expected)
    if operator == "Bool":
        return any(str(e).lower() == actual.lower() for e in expected)
    raise ValueError(operator)


_NEGATED = {"StringNotEquals": "StringEquals", "StringNotLike": "StringLike", "ArnNotEquals": "ArnEquals", "ArnNotLike": "ArnLike"}


def _condition_holds(operator: str, key: str, expected: Any, context: Mapping[str, str]) -> bool:
    key = key.lower()
    if_exists = operator.endswith("IfExists")
    operator = operator.removesuffix("IfExists")
    if key not in context:
        # A missing key: negated operators and ...IfExists hold, the others fail.
        return if_exists or operator in _NEGATED or operator == "Null" and str(expected).lower() == "true"
    if operator == "Null":
        return str(expected).lower() == "false"
    expected_list = _as_list(expected)
    try:
        if operator in _NEGATED:
            return not _values_match(_NEGATED[operator], expected_list, context[key])
        return _values_match(operator, expected_list, context[key])
    except ValueError:
        return False  # an operator the sandbox does not know never grants anything


def _conditions_hold(conditions: Mapping[str, Mapping[str, Any]], context: Mapping[str, str]) -> bool:
    context = {k.lower(): v for k, v in context.items()}  # condition keys are case-insensitive
    return all(
        _condition_holds(operator, key, expected, context)
        for operator, pairs in conditions.items()
        for key, expected in pairs.items()
    )


def _applies(statement: Mapping[str, Any], service: str, action: str, resource: str | None,
             context: Mapping[str, str]) -> bool:
    if "Principal" in statement and not _principal_matches(statement["Principal"], service):
        return False
    if "NotPrincipal" in statement:
        return False
    if "Action" in statement and not _matches(statement["Action"], action, case_insensitive=True):
        return False
    if "NotAction" in statement and _matches(statement["NotAction"], action, case_insensitive=True):
        return False
    if resource is not None:
        if "Resource" in statement and not _matches(statement["Resource"], resource):
            return False
        if "NotResource" in statement and _matches(statement["NotResource"], resource):
            return False
    return _conditions_hold(statement.get("Condition") or {}, context)


def allows(policy: str | Mapping[str, Any] | None, service: str, action: str, resource: str | None = None,
           context: Mapping[str, str] | None = None) -> bool:
    """Whether `policy` lets the service principal `service` do `action` on `resource` in `context`."""
    if not policy:
        return False
    document = json.loads(policy) if isinstance(policy, str) else policy
    statements = _as_list(document.get("Statement", []))
    applying = [s for s in statements if _applies(s, service, action, resource, context or {})]
    if any(s.get("Effect") == "Deny" for s in applying):
        return False
    return any(s.get("Effect") == "Allow" for s in applying)


def allows_all(policy: Any, service: str, actions: Iterable[str], resource: str | None = None,
               context: Mapping[str, str] | None = None) -> bool:
    return all(allows(policy, service, action, resource, context) for action in actions)


def assumable_role(role_arn: str, service: str, context: Mapping[str, str] | None = None) -> Any:
    """The moto role `service` would assume, or RoleNotAssumable: missing, not trusted, too new."""
    from moto.iam.models import iam_backends

    parts = role_arn.split(":")
    if len(parts) < 6 or parts[2] != "iam" or not parts[5].startswith("role/"):
        raise RoleNotAssumable(f"{role_arn} is not an IAM role ARN")
    account = parts[4]
    backend = iam_backends[account]["global"]
    role = next((r for r in backend.roles.values() if r.arn == role_arn), None)
    if role is None:
        raise RoleNotAssumable(f"role {role_arn} does not exist")
    if not allows(role.assume_role_policy_document, service, "sts:AssumeRole", None, context):
        raise RoleNotAssumable(f"the trust policy of {role_arn} does not let {service} assume it")
    age = (dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - _naive_utc(role.create_date)).total_seconds()
    if age < settings.iam_propagation_seconds:
        raise RoleNotAssumable(f"role {role_arn} was created {age:.1f}s ago and has not propagated yet")
    return role


def _identity_allows(document: Any, action: str, resource: str) -> str | None:
    """"Allow", "Deny" or None: what an identity policy says about `action` on `resource`."""
    document = json.loads(document) if isinstance(document, str) else document
    verdicts = {
        s.get("Effect")
        for s in _as_list(document.get("Statement", []))
        if _applies({k: v for k, v in s.items() if k != "Principal"}, "", action, resource, {})
    }
    return "Deny" if "Deny" in verdicts else "Allow" if "Allow" in verdicts else None


def caller_may_pass_role(authorization: str, role_arn: str) -> bool:
    """Whether the caller (its access key in the request's Authorization header) may iam:PassRole the role.

    The account's root keys (the sandbox's own) may; an IAM user needs an
    identity policy allowing iam:PassRole on the role, without a Deny.
    """
    from moto.iam.models import iam_backends

    key_id = authorization.split("Credential=", 1)[1].split("/", 1)[0] if "Credential=" in authorization else ""
    account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else ""
    backend = iam_backends[account]["global"] if account else None
    user = next((u for u in (backend.users.values() if backend else []) if any(
        k.access_key_id == key_id for k in u.access_keys)), None)
    if user is None:
        return True
    documents = list(user.policies.values()) + [
        v.document for p in user.managed_policies.values() for v in p.versions if v.is_default
    ]
    verdicts = {_identity_allows(d, "iam:PassRole", role_arn) for d in documents}
    return "Deny" not in verdicts and "Allow" in verdicts


def _naive_utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None) if value.tzinfo else value
