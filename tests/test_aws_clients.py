"""Shared boto3 clients: one per shape, a new one whenever anything that shapes it changes."""

from __future__ import annotations

import threading

import pytest
from botocore.config import Config

from provision.stacks import aws_clients
from provision.stacks.aws_clients import shared_client


@pytest.fixture(autouse=True)
def fake_env(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "key-one")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-one")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def test_the_same_shape_gets_the_same_client() -> None:
    assert shared_client("s3", "eu-west-1") is shared_client("s3", "eu-west-1")


@pytest.mark.parametrize(
    "other",
    [
        lambda: shared_client("sqs", "eu-west-1"),
        lambda: shared_client("s3", "us-east-1"),
        lambda: shared_client("s3", "eu-west-1", endpoint_url="http://127.0.0.1:1"),
        lambda: shared_client("s3", "eu-west-1", credentials=("other", "secret", None)),
        lambda: shared_client("s3", "eu-west-1", config=Config(retries={"max_attempts": 2})),
    ],
    ids=["service", "region", "endpoint", "credentials", "config"],
)
def test_any_difference_of_shape_gets_another_client(other) -> None:
    assert other() is not shared_client("s3", "eu-west-1")


def test_a_changed_aws_environment_gets_a_client_that_follows_it(monkeypatch) -> None:
    before = shared_client("s3", "eu-west-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    after = shared_client("s3", "eu-west-1")
    assert after is not before
    assert after.meta.endpoint_url == "http://127.0.0.1:4566"
    assert before.meta.endpoint_url == "https://s3.eu-west-1.amazonaws.com"


def test_explicit_credentials_are_the_clients_own(monkeypatch) -> None:
    made = shared_client("sts", "eu-west-1", credentials=("explicit-key", "explicit-secret", ""))
    assert made._request_signer._credentials.access_key == "explicit-key"
    assert shared_client("sts", "eu-west-1")._request_signer._credentials.access_key == "key-one"


def test_threads_asking_at_once_share_one_client() -> None:
    config = Config()  # a shape no other test made
    seen: list[object] = []
    barrier = threading.Barrier(8)

    def ask() -> None:
        barrier.wait()
        seen.append(shared_client("s3", "eu-west-1", config=config))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8 and len({id(c) for c in seen}) == 1


def test_the_cache_starts_again_when_full(monkeypatch) -> None:
    monkeypatch.setattr(aws_clients, "MAX_CLIENTS", 2)
    first = shared_client("s3", "eu-west-1", endpoint_url="http://127.0.0.1:11")
    shared_client("s3", "eu-west-1", endpoint_url="http://127.0.0.1:12")
    shared_client("s3", "eu-west-1", endpoint_url="http://127.0.0.1:13")
    assert len(aws_clients._clients) <= 2
    assert shared_client("s3", "eu-west-1", endpoint_url="http://127.0.0.1:11") is not first
