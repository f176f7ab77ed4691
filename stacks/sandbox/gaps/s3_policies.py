"""Bucket-policy conditions in the sandbox, evaluated as AWS does.

moto 5.2.1 evaluates bucket policies but ignores condition operators other
than StringEquals, so the standard "deny unless aws:SecureTransport" statement
denies every object call, and a statement whose condition does not hold still
denies. Here the `Bool` operator is understood, a statement applies only when
its conditions hold, and aws:SecureTransport is what the request really used:
"true" over HTTPS (the sandbox serves HTTPS, see stacks.sandbox.tls), "false"
over plain HTTP, so a TLS-only bucket refuses plain HTTP as AWS does.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import urlsplit

_request = threading.local()  # moto serves each request on one thread


def secure_transport() -> str:
    """aws:SecureTransport of the request being served ("true" when none is known)."""
    return "false" if getattr(_request, "scheme", "https") == "http" else "true"


def _bool_equals(expected: Any, actual: str) -> bool:
    values = expected if isinstance(expected, list) else [expected]
    return any(str(v).lower() == str(actual).lower() for v in values)


def install() -> None:
    from moto.core.responses import BaseResponse
    from moto.iam import access_control, policy_conditions

    policy_conditions.CONDITION_OPERATIONS.setdefault("Bool", _bool_equals)
    if not getattr(BaseResponse.setup_class, "gap_fill", False):
        original_setup = BaseResponse.setup_class

        def setup_class(self, request, full_url, headers, *args, **kwargs):
            _request.scheme = urlsplit(full_url).scheme or "https"
            return original_setup(self, request, full_url, headers, *args, **kwargs)

        setup_class.gap_fill = True
        BaseResponse.setup_class = setup_class
    statement = access_control.IAMPolicyStatement
    original = statement.is_action_permitted

    def is_action_permitted(self, action, resource="*", principal=None, incoming_condition_values=None):
        context = {"aws:SecureTransport": secure_transport(), **(incoming_condition_values or {})}
        # Resource policies: a statement whose conditions fail does not apply (trust
        # policies, which have no Resource, keep moto's own handling).
        if self._statement.get("Resource") and not self._check_conditions(context):
            return access_control.PermissionResult.NEUTRAL
        return original(self, action, resource, principal, context)

    statement.is_action_permitted = is_action_permitted
