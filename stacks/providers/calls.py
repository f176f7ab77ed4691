"""AWS call helpers for read and delete paths, where "not found" is an answer, not an error."""

from __future__ import annotations

from typing import Any, Callable, Iterable, TypeVar

from botocore.exceptions import ClientError

from provision.stacks.providers.base import aws_call, client, error_code, is_not_found

T = TypeVar("T")


def call_or_none(what: str, fn: Callable[..., T], *, also_gone: Iterable[str] = (), **kwargs: Any) -> T | None:
    """`fn(**kwargs)`, or None when AWS says the resource does not exist; other errors as aws_call.

    `also_gone` adds error codes that mean "nothing to do" for this call
    (e.g. Gateway.NotAttached when detaching).
    """
    extra = frozenset(also_gone)

    def attempt() -> T | None:
        try:
            return fn(**kwargs)
        except ClientError as exc:
            if is_not_found(exc) or error_code(exc) in extra:
                return None
            raise

    return aws_call(what, attempt)


def first_or_none(what: str, fn: Callable[..., dict], result_key: str, **kwargs: Any) -> dict | None:
    """The single item a Describe* call lists under `result_key`, or None when gone."""
    answer = call_or_none(what, fn, **kwargs)
    items = (answer or {}).get(result_key) or []
    return items[0] if items else None


def caller_account() -> str:
    """The account id of the current credentials."""
    return aws_call("STS GetCallerIdentity", client("sts").get_caller_identity)["Account"]
