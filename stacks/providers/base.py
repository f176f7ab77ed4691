"""Shared machinery for the boto3-backed Pulumi dynamic providers.

A provider models one primary AWS resource, CloudFormation-style: its inputs are
the resource's settings, its outputs are the inputs plus the computed
attributes named in OUTPUTS. `diff` compares inputs only; a change to a key in
REPLACE_ON replaces the resource, any other change updates it in place.

Providers hold no clients: the engine pickles provider instances into state,
so clients are made inside each method from the environment (AWS_ENDPOINT_URL
and credentials), which is how the same code serves AWS and the sandbox.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from typing import Any, Callable, Iterable, Iterator, Mapping, TypeVar

from botocore.exceptions import ClientError
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from provision.stacks.aws_clients import RETRY_CONFIG, shared_client

T = TypeVar("T")

# Error codes that mean "not there", per service, for idempotent delete and read.
NOT_FOUND_CODES = frozenset(
    {
        "NoSuchBucket",
        "NoSuchEntity",
        "NotFoundException",
        "NoSuchDistribution",
        "ResourceNotFoundException",
        "TrailNotFoundException",
        "NoSuchConfigurationRecorderException",
        "NoSuchDeliveryChannelException",
        "InvalidVpcID.NotFound",
        "InvalidSubnetID.NotFound",
        "InvalidRouteTableID.NotFound",
        "InvalidInternetGatewayID.NotFound",
        "InvalidNatGatewayID.NotFound",
        "InvalidAllocationID.NotFound",
        "InvalidFlowLogId.NotFound",
        "NotFound",
        "404",
    }
)


class ProviderError(Exception):
    """An AWS call failed; the message names the resource, the call and the AWS error code."""


def client(service: str, region: str | None = None):
    """A boto3 client for `service`, honouring AWS_ENDPOINT_URL and the retry policy.

    Shared per shape (aws_clients): making a client is costly, using one is thread-safe.
    """
    return shared_client(service, region, config=RETRY_CONFIG)


def error_code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "Unknown")


def is_not_found(exc: ClientError) -> bool:
    return error_code(exc) in NOT_FOUND_CODES


def aws_call(what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call `fn`, turning a ClientError into a ProviderError that says what failed and why."""
    try:
        return fn(*args, **kwargs)
    except ClientError as exc:
        raise aws_failure(what, exc) from exc


def aws_failure(what: str, exc: ClientError, hint: str = "") -> ProviderError:
    """The ProviderError for a failed call: what was tried, AWS's code and message, then `hint`."""
    err = exc.response.get("Error", {})
    message = f"{what}: {err.get('Code', 'Unknown')}: {err.get('Message', str(exc))}"
    return ProviderError(f"{message} {hint}" if hint else message)


def eventually(
    fn: Callable[[], T],
    *,
    retry_on: Iterable[str] | Callable[[ClientError], bool],
    attempts: int = 10,
    delay: float = 0.5,
) -> T:
    """Retry `fn` while AWS answers with one of the codes `retry_on` (eventual consistency),
    or while `retry_on(error)` is true when a code alone says too little."""
    if callable(retry_on):
        retry = retry_on
    else:
        codes = frozenset(retry_on)
        retry = lambda exc: error_code(exc) in codes  # noqa: E731
    for attempt in range(attempts):
        try:
            return fn()
        except ClientError as exc:
            if not retry(exc) or attempt == attempts - 1:
                raise
            time.sleep(delay * (2**attempt if attempt < 4 else 8))
    raise AssertionError("unreachable")


@contextlib.contextmanager
def rollback_on_failure(undo: Callable[[], Any]) -> Iterator[None]:
    """Run `undo` if the block fails, so a multi-call create stays all-or-nothing.

    The engine records nothing for a failed create; a half-made resource left
    behind would make the next attempt fail with "already exists".
    """
    try:
        yield
    except Exception as exc:
        try:
            undo()
        except Exception as undo_exc:  # the original failure is the one to report
            exc.add_note(f"rollback also failed: {undo_exc}")
        raise


# `provision destroy --force-delete-data` sets this in the engine's environment: the user
# has seen what would be lost and accepted it, whatever `force_destroy` the state recorded.
FORCE_DELETE_DATA_ENV = "PROVISION_FORCE_DELETE_DATA"


def refuse_data_loss(what: str, held: int, things: str, remedy: str, *, force: bool) -> None:
    """Stop a delete that would lose `held` `things` (e.g. "recovery point(s)") unless forced."""
    if held and not (force or os.environ.get(FORCE_DELETE_DATA_ENV) == "1"):
        raise ProviderError(
            f"{what} still holds {held} {things} that would be lost; refusing to delete it. "
            f"{remedy}, or delete them with it: `provision destroy --force-delete-data`."
        )


def same_json(current: str | Mapping[str, Any] | None, desired: str | None) -> str | None:
    """`desired` when `current` is the same document, else `current` as a JSON string.

    AWS re-serialises policy documents (spacing, key order); comparing parsed
    documents keeps refresh from reporting drift that is only formatting.
    """
    if current is None:
        return None
    parsed = json.loads(current) if isinstance(current, str) else current
    if desired is not None and json.loads(desired) == parsed:
        return desired
    return current if isinstance(current, str) else json.dumps(parsed, sort_keys=True)


def tag_list(tags: Mapping[str, str] | None, key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
    """AWS's [{Key:..., Value:...}] shape from a plain mapping."""
    return [{key: k, value: v} for k, v in sorted((tags or {}).items())]


def inputs_of(props: Mapping[str, Any], outputs: Iterable[str]) -> dict[str, Any]:
    """The user inputs inside a dynamic resource's props (no outputs, no engine keys)."""
    skip = set(outputs)
    return {k: v for k, v in props.items() if k not in skip and not k.startswith("__")}


class AwsResourceProvider(ResourceProvider):
    """Base of every provider: input-only diff driven by REPLACE_ON.

    Subclasses implement create/read/update/delete; `read` returns None when
    the resource is gone, which the engine reports as a deletion on refresh.
    """

    REPLACE_ON: frozenset[str] = frozenset()
    OUTPUTS: frozenset[str] = frozenset()
    # Replacing some resources needs the old one gone first (unique names).
    DELETE_BEFORE_REPLACE = False

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        old_in, new_in = inputs_of(olds, self.OUTPUTS), inputs_of(news, self.OUTPUTS)
        changed = sorted(k for k in old_in.keys() | new_in.keys() if old_in.get(k) != new_in.get(k))
        replaces = [k for k in changed if k in self.REPLACE_ON]
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            stables=sorted(self.OUTPUTS) if not replaces else [],
            delete_before_replace=self.DELETE_BEFORE_REPLACE and bool(replaces),
        )

    def outputs(self, props: Mapping[str, Any], **computed: Any) -> dict[str, Any]:
        return {**inputs_of(props, self.OUTPUTS), **computed}


__all__ = [
    "AwsResourceProvider",
    "CreateResult",
    "DiffResult",
    "ProviderError",
    "ReadResult",
    "UpdateResult",
    "aws_call",
    "client",
    "error_code",
    "eventually",
    "inputs_of",
    "is_not_found",
    "refuse_data_loss",
    "rollback_on_failure",
    "same_json",
    "tag_list",
]
