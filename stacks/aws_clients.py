"""boto3 clients made once and shared: by the providers, the targets and verify.

A client made from a new boto3 Session loads its service model from disk
again, which costs 0.1-0.4 s of CPU. The provider host used to pay that on
every provider call, and it was most of an apply's CPU time. Clients are
thread-safe, so one per shape is kept here, keyed by everything that shapes
it: service, region, endpoint, explicit credentials, config and the AWS_*
environment a session reads. Sessions are not thread-safe: they are only
touched under the lock.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Optional, Tuple

from botocore.config import Config

# Standard mode retries throttling, 5xx and connection errors with jittered
# exponential backoff; the attempt count covers short sandbox or AWS brown-outs.
# Every client of ours uses it: providers, targets, verify.
RETRY_CONFIG = Config(retries={"max_attempts": 8, "mode": "standard"}, connect_timeout=10, read_timeout=60)
Credentials = Tuple[Optional[str], Optional[str], Optional[str]]
NO_CREDENTIALS: Credentials = (None, None, None)

# A long test run meets many sandboxes (one endpoint each); past this many
# shapes the cache starts again rather than growing without end.
MAX_CLIENTS = 256

_lock = threading.Lock()
_sessions: dict[tuple, Any] = {}
_clients: dict[tuple, tuple[Any, Any]] = {}


def aws_environment() -> tuple[tuple[str, str], ...]:
    """The AWS_* variables a new session would read, as a hashable snapshot."""
    return tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("AWS_")))


def shared_client(
    service: str,
    region: str | None = None,
    *,
    endpoint_url: str | None = None,
    credentials: Credentials = NO_CREDENTIALS,
    config: Any = None,
    verify: str | None = None,
) -> Any:
    """The one client of this shape, made on first use.

    `credentials` is (access key, secret key, session token); empty parts mean
    "from the environment", as for boto3.session.Session. `verify` is a CA
    bundle to trust (the sandbox's own CA); None keeps boto3's default.
    """
    credentials = tuple(part or None for part in credentials)  # type: ignore[assignment]
    environment = aws_environment()
    # The config object is kept beside the client, so its id cannot be reused while cached.
    key = (service, region, endpoint_url, credentials, environment, id(config), verify)
    cached = _clients.get(key)
    if cached is not None:
        return cached[0]
    with _lock:
        cached = _clients.get(key)
        if cached is not None:
            return cached[0]
        if len(_clients) >= MAX_CLIENTS:
            _clients.clear()
            _sessions.clear()
        made = _session(credentials, environment).client(
            service, region_name=region, endpoint_url=endpoint_url, config=config, verify=verify
        )
        _clients[key] = (made, config)
        return made


def _session(credentials: Credentials, environment: tuple[tuple[str, str], ...]) -> Any:
    import boto3

    key = (credentials, environment)
    if key not in _sessions:
        access_key, secret_key, token = credentials
        _sessions[key] = boto3.session.Session(
            aws_access_key_id=access_key, aws_secret_access_key=secret_key, aws_session_token=token
        )
    return _sessions[key]

