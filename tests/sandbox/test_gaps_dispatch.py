"""Routing on the sandbox: moto's service modules are listed once, not on every request."""

from __future__ import annotations

import os
from pathlib import Path

import boto3
import moto
from moto import backends

from provision.stacks.sandbox.gaps import dispatch


def test_the_modules_listed_are_the_packages_service_directories(monkeypatch) -> None:
    package = Path(moto.__file__).parent
    services = sorted(p.name for p in package.iterdir() if p.is_dir() and not p.name.startswith("__"))
    dispatch.install()

    listings = []
    listdir = os.listdir
    monkeypatch.setattr(os, "listdir", lambda *args: listings.append(args) or listdir(*args))
    assert list(backends.list_of_moto_modules()) == services
    assert {"ec2", "iam", "s3", "sts"} <= set(services)
    assert listings == []


def test_requests_are_still_routed_by_host(moto_endpoint: str) -> None:
    dispatch.install()
    sts = boto3.client("sts", region_name="eu-west-1", endpoint_url=moto_endpoint)
    s3 = boto3.client("s3", region_name="eu-west-1", endpoint_url=moto_endpoint)
    assert sts.get_caller_identity()["Account"]
    assert s3.list_buckets()["Buckets"] == []
