"""Bucket-policy conditions in the sandbox, evaluated as AWS does.

moto 5.2.1 evaluates bucket policies but ignores condition operators other
than StringEquals, so the standard "deny unless aws:SecureTransport" statement
denies every object call, and a statement whose condition does not hold still
denies. Here the `Bool` operator is understood, a statement applies only when
its conditions hold, and requests count as TLS: every AWS SDK endpoint the
sandbox stands in for is HTTPS, the loopback transport is not the point.
"""

from __future__ import annotations

from typing import Any

SANDBOX_CONTEXT = {"aws:SecureTransport": "true"}


def _bool_equals(expected: Any, actual: str) -> bool:
    values = expected if isinstance(expected, list) else [expected]
    return any(str(v).lower() == str(actual).lower() for v in values)


def install() -> None:
    from moto.iam import access_control, policy_conditions

    policy_conditions.CONDITION_OPERATIONS.setdefault("Bool", _bool_equals)
    statement = access_control.IAMPolicyStatement
    original = statement.is_action_permitted

    def is_action_permitted(self, action, resource="*", principal=None, incoming_condition_values=None):
        context = {**SANDBOX_CONTEXT, **(incoming_condition_values or {})}
        # Resource policies: a statement whose conditions fail does not apply (trust
        # policies, which have no Resource, keep moto's own handling).
        if self._statement.get("Resource") and not self._check_conditions(context):
            return access_control.PermissionResult.NEUTRAL
        return original(self, action, resource, principal, context)

    statement.is_action_permitted = is_action_permitted
