"""Fixtures for the gap-fill tests.

- `gap_env`: fake AWS credentials, region eu-west-1, no endpoint override.
- `moto_endpoint`: a moto server on loopback in this process (so the gap fills
  installed here serve it), as the sandbox runs them; yields its URL.
"""

from __future__ import annotations

from typing import Iterator

import pytest
from moto.server import ThreadedMotoServer

REGION = "eu-west-1"


@pytest.fixture
def gap_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


@pytest.fixture
def moto_endpoint(gap_env) -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()
