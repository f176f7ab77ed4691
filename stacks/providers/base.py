"""Shared machinery for the boto3-backed Pulumi dynamic providers.

A provider models one primary AWS resource, CloudFormation-style: its inputs are
the resource's settings, its outputs are the inputs plus the computed
attributes named in OUTPUTS. `diff` compares inputs only; a change to a key in
REPLACE_ON replaces the resource, any other change updates it in place.
Three declarations drive it:
- REPLACE_ON: the settings AWS cannot change in place;
- UNIQUE_BY: the settings that make up an identity AWS keeps unique (a name, a
  CIDR block); a replacement that keeps them deletes the old resource first,
  since the new one could not coexist with it;
- SET_LIKE: list settings whose order means nothing (AWS answers in its own
  order); they compare as sets, here and in drift, and are stored sorted.
A setting that carries a secret (SECRET_KEYS: a trust policy's ExternalId) is
kept encrypted in state, so it gets a plain `<setting>_masked` output too: the
document with the secret masked, which drift compares and may print.

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

# A name the layers above providers resolve: "module:attribute", or ("module:factory", *args)
# for what `factory(*args)` makes. See AwsResourceProvider's verify declarations.
Ref = str | tuple[str, ...]


class ProviderError(Exception):
    """An AWS call failed; the message names the resource, the call and the AWS error code."""


def client(service: str, region: str | None = None):
    """A boto3 client for `service`, honouring AWS_ENDPOINT_URL and the retry policy.

    Shared per shape (aws_clients): making a client is costly, using one is thread-safe.
    """
    return shared_client(service, region, config=RETRY_CONFIG)


def error_code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "Unknown")


def not_found_codes() -> frozenset[str]:
    """The error codes that mean "not there", for idempotent delete and read: every
    provider's NOT_FOUND (services share codes, and a provider calls other services)."""
    from provision.stacks.providers.kinds import not_found_codes as declared  # the kinds import this module

    return declared()


def is_not_found(exc: ClientError) -> bool:
    return error_code(exc) in not_found_codes()


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


def canonical(value: Any) -> Any:
    """A set-like value in one order without repeats, so equal sets compare equal."""
    if not isinstance(value, (list, tuple)):
        return value
    by_text = {json.dumps(item, sort_keys=True, default=str): item for item in value}
    return [by_text[text] for text in sorted(by_text)]


def same_value(old: Any, new: Any, set_like: bool) -> bool:
    return canonical(old) == canonical(new) if set_like else old == new


SECRET_MASK, CHANGED_SECRET_MASK = "[secret]", "[secret, changed]"
MASKED_SUFFIX = "_masked"


def _secret_strings(node: Any, keys: frozenset[str], inside: bool = False) -> set[str]:
    """The strings found under `keys` anywhere in a parsed JSON document."""
    if isinstance(node, Mapping):
        return set().union(*(_secret_strings(v, keys, inside or k in keys) for k, v in node.items()))
    if isinstance(node, list):
        return set().union(*(_secret_strings(v, keys, inside) for v in node))
    return {node} if inside and isinstance(node, str) else set()


def masked_document(document: str | None, keys: frozenset[str], recorded: str | None) -> str | None:
    """`document` (JSON) with the values under `keys` replaced by "[secret]", or by
    "[secret, changed]" where they are not the secrets `recorded` holds."""
    if not document:
        return None
    known = _secret_strings(json.loads(recorded), keys) if recorded else set()

    def mask(node: Any) -> Any:
        if isinstance(node, Mapping):
            return {k: (hide(v) if k in keys else mask(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [mask(v) for v in node]
        return node

    def hide(value: Any) -> str:
        return SECRET_MASK if _secret_strings(value, keys, True) <= known else CHANGED_SECRET_MASK

    return json.dumps(mask(json.loads(document)), sort_keys=True)


class AwsResourceProvider(ResourceProvider):
    """Base of every provider: input-only diff driven by REPLACE_ON, UNIQUE_BY and SET_LIKE.

    Subclasses implement create/read/update/delete; `read` returns None when
    the resource is gone, which the engine reports as a deletion on refresh.
    """

    REPLACE_ON: frozenset[str] = frozenset()
    OUTPUTS: frozenset[str] = frozenset()
    # The identity AWS keeps unique, as the settings that make it up (the
    # empty set: one per account and region); None: no such identity.
    UNIQUE_BY: frozenset[str] | None = None
    SET_LIKE: frozenset[str] = frozenset()
    # Setting -> the JSON keys under which its document holds a secret.
    SECRET_KEYS: Mapping[str, frozenset[str]] = {}

    # What the rest of provision needs to know of the kind, declared here so that a new
    # kind is one module. stacks.verify reads these (providers never import it), through
    # stacks.providers.kinds; tests/providers/test_kind_declarations.py checks every
    # kind declares them.
    # - INVENTORY_MARKER: an output only this kind's resources have, never None (the
    #   engine drops None outputs): how verify knows the kind of a generic state entry.
    #   Kinds are tried by INVENTORY_PRIORITY, highest first (then by name): a kind whose
    #   outputs also hold another kind's marker goes first.
    # - NOT_FOUND: the error codes its service answers for a missing resource. Every
    #   provider takes any kind's code as "gone" (is_not_found), and so does verify.
    # - ALSO_GONE: codes that mean "gone" on this kind's own calls only (its `also_gone`);
    #   verify's existence probe takes them as "gone" too.
    # - EXISTENCE_PROBE: how verify asks AWS the resource exists, a Ref to a
    #   (LiveResource, VerifyContext) -> bool | None callable; a module without a dot is
    #   one of stacks/verify/checks/.
    # - TAG_READER: a Ref to how verify reads its live tags; None when AWS cannot tag it.
    # - VERIFY_CHECKS: the ids of the checks verify runs on it, in order ("tags" for the
    #   provision:* tags); empty when there is nothing to audit beyond its existence.
    INVENTORY_MARKER: str = ""
    INVENTORY_PRIORITY: int = 0
    NOT_FOUND: frozenset[str] = frozenset()
    ALSO_GONE: frozenset[str] = frozenset()
    EXISTENCE_PROBE: Ref | None = None
    TAG_READER: Ref | None = None
    VERIFY_CHECKS: tuple[str, ...] = ()

    @property
    def computed(self) -> frozenset[str]:
        """Output keys that are not inputs: OUTPUTS and the masked copies of secret settings."""
        return self.OUTPUTS | {name + MASKED_SUFFIX for name in self.SECRET_KEYS}

    def changed_keys(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
        """The input keys whose values differ, set-like ones compared as sets."""
        old_in, new_in = inputs_of(olds, self.computed), inputs_of(news, self.computed)
        keys = old_in.keys() | new_in.keys()
        return sorted(k for k in keys if not same_value(old_in.get(k), new_in.get(k), k in self.SET_LIKE))

    def delete_first(self, replaces: Iterable[str]) -> bool:
        """Whether a replacement of `replaces` must delete the old resource before making the new one:
        it keeps the unique identity, which AWS would refuse to give a second resource."""
        return self.UNIQUE_BY is not None and bool(replaces) and not (self.UNIQUE_BY & set(replaces))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = self.changed_keys(olds, news)
        replaces = [k for k in changed if k in self.REPLACE_ON]
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            stables=sorted(self.OUTPUTS) if not replaces else [],
            delete_before_replace=self.delete_first(replaces),
        )

    def outputs(self, props: Mapping[str, Any], recorded: Mapping[str, Any] | None = None, **computed: Any) -> dict[str, Any]:
        """The inputs and `computed` attributes, set-like values sorted (what AWS answers
        in another order reads back equal, so refresh records no change), and the masked
        copy of each secret setting. `read` passes the props it was given as `recorded`:
        a secret that differs from them is masked as changed."""
        values = {**inputs_of(props, self.computed), **computed}
        for name, keys in self.SECRET_KEYS.items():
            values[name + MASKED_SUFFIX] = masked_document(props.get(name), keys, (recorded or props).get(name))
        return {k: canonical(v) if k in self.SET_LIKE else v for k, v in values.items()}


__all__ = [
    "AwsResourceProvider",
    "CreateResult",
    "DiffResult",
    "ProviderError",
    "ReadResult",
    "UpdateResult",
    "aws_call",
    "canonical",
    "client",
    "error_code",
    "eventually",
    "inputs_of",
    "is_not_found",
    "masked_document",
    "not_found_codes",
    "refuse_data_loss",
    "rollback_on_failure",
    "same_json",
    "same_value",
    "tag_list",
]
