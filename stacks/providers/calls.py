"""How providers call AWS beyond aws_call: read and delete paths, where "not found" is
an answer, not an error; calls that race IAM propagation; waiters; the partition."""

from __future__ import annotations

import functools
import threading
from typing import Any, Callable, Iterable, TypeVar

from botocore.exceptions import ClientError, WaiterError

from provision.stacks.providers.base import (
    ProviderError,
    aws_call,
    client,
    error_code,
    eventually,
    is_not_found,
    not_found_codes,
)

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


@functools.lru_cache(maxsize=None)
def partition_of(region: str | None) -> str:
    """The partition a region belongs to ("aws" for eu-west-1, "aws-us-gov", "aws-cn"), from botocore's endpoint data."""
    with _endpoint_data_lock:  # a botocore session is not thread-safe
        try:
            return _endpoint_data().get_partition_for_region(region or "us-east-1")
        except Exception:  # an unknown region name: the commercial partition, as AWS would place it
            return "aws"


_endpoint_data_lock = threading.Lock()


@functools.cache
def _endpoint_data():
    """One botocore session for its endpoint data: a new one reads it from disk again (35-70 ms)."""
    import botocore.session

    return botocore.session.get_session()


def caller_partition() -> str:
    """The partition of the current credentials ("aws", "aws-us-gov", "aws-cn"), from STS: ARNs use it."""
    return aws_call("STS GetCallerIdentity", client("sts").get_caller_identity)["Arn"].split(":")[1]


# IAM is eventually consistent: a service may not be able to assume a role made
# a moment ago. 18 attempts from 1 s, each wait at most 8 s: about two minutes.
IAM_PROPAGATION_RETRY = {"attempts": 18, "delay": 1.0}


def role_not_yet_usable(code: str, fragment: str = "") -> Callable[[ClientError], bool]:
    """The error a service answers while a new role has not reached it: AWS's
    `code`, with `fragment` in the message when the code alone says too little."""

    def matches(exc: ClientError) -> bool:
        message = str(exc.response.get("Error", {}).get("Message", ""))
        return error_code(exc) == code and fragment.lower() in message.lower()

    return matches


def while_role_propagates(
    what: str, fn: Callable[..., T], *, retry_if: Callable[[ClientError], bool], **kwargs: Any
) -> T:
    """`fn(**kwargs)` as aws_call, retried for about two minutes while `retry_if` the error."""
    return aws_call(what, lambda: eventually(lambda: fn(**kwargs), retry_on=retry_if, **IAM_PROPAGATION_RETRY))


def wait_for(what: str, service_client: Any, waiter: str, *, gone_is_done: bool = False, **kwargs: Any) -> None:
    """Wait with a boto3 waiter, failing as a ProviderError that says what, never a WaiterError.

    Right after a create, EC2 may not know the resource yet (eventual
    consistency): a "not found" is waited out, or is the goal when `gone_is_done`.
    """

    def attempt() -> None:
        try:
            service_client.get_waiter(waiter).wait(**kwargs)
        except WaiterError as exc:
            response = exc.last_response or {}
            if "Error" in response:  # the waiter stopped on an AWS error: judge it as one
                raise ClientError(response, waiter) from exc
            raise

    try:
        if gone_is_done:
            call_or_none(what, attempt)
        else:
            aws_call(what, lambda: eventually(attempt, retry_on=not_found_codes()))
    except WaiterError as exc:
        raise ProviderError(f"{what}: {exc}") from exc
