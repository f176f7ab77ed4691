"""Targets: the sandbox and real AWS differ only in endpoint and credentials."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from provision.stacks.engine.statedir import StateDir
from provision.stacks.sandbox import SandboxInfo
from provision.stacks.targets import (
    SandboxNotRunning,
    TargetError,
    aws_target,
    resolve_target,
    sandbox_target,
)

INFO = SandboxInfo(pid=1, port=4566, instance_id="abc123", started_at="2026-01-01T00:00:00+00:00")


def test_sandbox_env_points_everything_at_the_sandbox(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "https://s3.example.net")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    target = sandbox_target(INFO, "eu-west-1", tmp_path)
    assert target.endpoint == "http://127.0.0.1:4566"
    assert dict(target.env) == {
        "AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
        "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:4566",
        "AWS_ACCESS_KEY_ID": "sandbox",
        "AWS_SECRET_ACCESS_KEY": "sandbox-secret",
        "AWS_SESSION_TOKEN": "",
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_CONFIG_FILE": str(tmp_path / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "aws-config"),
    }
    assert (tmp_path / "aws-config").read_text() == "[default]\n"


def test_sandbox_config_knows_the_users_profile_name(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # botocore rejects an AWS_PROFILE its config file does not define, even with keys in the env.
    monkeypatch.setenv("AWS_PROFILE", "work")
    sandbox_target(INFO, "eu-west-1", tmp_path)
    assert (tmp_path / "aws-config").read_text() == "[default]\n[profile work]\n[work]\n"


def test_aws_target_refuses_without_credentials(fake_aws_env: None) -> None:
    with pytest.raises(TargetError) as err:
        aws_target("eu-west-1")
    assert str(err.value) == (
        "--target aws needs AWS credentials and none were found. Configure them the usual way "
        "(`aws configure`, `aws sso login` with AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY), or use the local sandbox with --target sandbox."
    )


def test_aws_target_uses_the_normal_chain(fake_aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example")
    target = aws_target("us-east-1")
    # No endpoint and no keys of ours: providers resolve credentials the usual way.
    assert (target.name, target.endpoint, target.sandbox) == ("aws", None, None)
    assert dict(target.env) == {"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"}


def test_stopped_sandbox_is_not_started_unless_asked(tmp_path: Path) -> None:
    with pytest.raises(SandboxNotRunning, match="The sandbox is not running. Start it with `provision sandbox start`."):
        resolve_target("sandbox", "eu-west-1", StateDir(tmp_path), start_sandbox=False)


def test_unknown_target(tmp_path: Path) -> None:
    with pytest.raises(TargetError, match="Unknown target 'gcp'; choose one of: sandbox, aws."):
        resolve_target("gcp", "eu-west-1", StateDir(tmp_path), start_sandbox=True)


@pytest.mark.e2e
def test_running_sandbox_is_reused_and_answers_as_aws(sandbox, sandbox_state) -> None:
    started = []
    target = resolve_target("sandbox", "eu-central-1", sandbox_state, start_sandbox=True, on_sandbox_start=started.append)
    assert started == []
    assert target.sandbox == sandbox
    assert target.account_id() == "123456789012"
    bucket = "targets-test-bucket"
    target.client("s3").create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    assert target.client("s3").get_bucket_location(Bucket=bucket)["LocationConstraint"] == "eu-central-1"
    target.client("s3").delete_bucket(Bucket=bucket)


def test_aws_target_drops_stray_endpoints_so_aws_calls_reach_aws(fake_aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:5000")

    target = aws_target("eu-west-1")

    assert "AWS_ENDPOINT_URL" not in os.environ and "AWS_ENDPOINT_URL_S3" not in os.environ
    assert target.notes == (
        "--target aws ignores AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_S3 from the environment: "
        "AWS is reached at its own endpoints.",
    )
    assert target.client("s3").meta.endpoint_url == "https://s3.eu-west-1.amazonaws.com"


def test_target_clients_use_the_standard_retry_policy(fake_aws_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example")
    for target in (aws_target("eu-west-1"), sandbox_target(INFO, "eu-west-1", tmp_path)):
        retries = target.client("sts").meta.config.retries
        # 8 retries after the first attempt (botocore's default mode, legacy, would make 5 attempts).
        assert (retries["mode"], retries["total_max_attempts"]) == ("standard", 9)


def test_an_https_sandbox_passes_its_ca_to_every_client(tmp_path: Path) -> None:
    from dataclasses import replace

    info = replace(INFO, scheme="https", ca_bundle=str(tmp_path / "ca.pem"))
    target = sandbox_target(info, "eu-west-1", tmp_path)
    assert target.endpoint == "https://127.0.0.1:4566"
    assert target.env["AWS_CA_BUNDLE"] == str(tmp_path / "ca.pem")
    (tmp_path / "ca.pem").write_text("")  # botocore only opens it on a request
    assert target.client("s3")._endpoint.http_session._verify == str(tmp_path / "ca.pem")
