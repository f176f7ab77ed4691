"""Engine failures as one clear paragraph: which resource, which AWS error; no tracebacks."""

from __future__ import annotations

import re
from provision.stacks.engine.events import CREATE, DELETE, REPLACE, UPDATE, ChangeSet, ResourceChange

# The engine's own summary lines say nothing the per-resource errors do not.
_GENERIC = re.compile(r"^(update failed|preview failed|destroy failed|refresh failed|\d+ errors? occurred:?)$", re.I)
_VERB = {CREATE: "Creating", UPDATE: "Updating", REPLACE: "Replacing", DELETE: "Deleting"}
MAX_LISTED = 3


class EngineError(Exception):
    """A stack operation failed; str() is a paragraph fit for the terminal."""


def describe(change: ResourceChange) -> str:
    where = f" of function {change.function}" if change.function else ""
    return f"{change.label}{where}"


def engine_error(action: str, exc: Exception, changes: ChangeSet | None = None) -> EngineError:
    """Translate an automation-API failure of `action` (preview, update, ...) into an EngineError."""
    from pulumi.automation import errors as auto_errors

    if isinstance(exc, auto_errors.ConcurrentUpdateError):
        return EngineError(
            f"The {action} could not start: another run holds the lock of this stack. Wait for it to "
            "finish; if none is running (a run that was killed), the lock is stale: `provision unlock` "
            "on the plan releases it safely."
        )
    failures = _resource_failures(changes) if changes is not None else []
    if failures:
        shown = "; ".join(failures[:MAX_LISTED])
        more = f" (and {len(failures) - MAX_LISTED} more)" if len(failures) > MAX_LISTED else ""
        return EngineError(f"The {action} failed: {shown}{more}.")
    messages = _plain_errors(changes) or _error_lines(exc)
    detail = " ".join(messages) if messages else f"the engine exited with an error ({_exit_code(exc)})"
    return EngineError(f"The {action} failed: {detail}")


def _resource_failures(changes: ChangeSet) -> list[str]:
    out = []
    for urn, message in changes.failed.items():
        change = changes.changes.get(urn)
        if change is None:
            continue
        verb = _VERB.get(change.op, "Reading")
        out.append(f"{verb} {describe(change)} failed: {_one_line(message)}")
    return out


def _plain_errors(changes: ChangeSet | None) -> list[str]:
    if changes is None:
        return []
    return [_one_line(d.message) for d in changes.errors() if not _GENERIC.match(_one_line(d.message))]


def _error_lines(exc: Exception) -> list[str]:
    # A CommandError's text carries the engine's stdout and stderr.
    found: list[str] = []
    for line in str(exc).splitlines():
        line = re.sub(r"^\s*(stdout|stderr):", "", line).strip()
        if line.startswith("error:"):
            message = line[len("error:") :].strip()
            if message and not _GENERIC.match(message) and message not in found:
                found.append(message)
    return found


def _one_line(message: str) -> str:
    return " ".join(message.split()).rstrip(".")


def _exit_code(exc: Exception) -> str:
    code = re.search(r"^\s*code: (-?\d+)", str(exc), re.M)
    return f"exit {code.group(1)}" if code else type(exc).__name__
