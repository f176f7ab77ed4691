"""The sandbox server: real processes, started, checked, stopped and reset."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner

from provision.cli.main import cli
from provision.stacks.sandbox import Sandbox
from provision.stacks.sandbox.lifecycle import healthy

pytestmark = pytest.mark.e2e


def client(info, service: str):
    return boto3.session.Session(
        aws_access_key_id="sandbox", aws_secret_access_key="sandbox-secret", region_name="eu-west-1"
    ).client(service, endpoint_url=info.url, verify=info.ca_bundle)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/status").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text()


@pytest.fixture
def box(tmp_path: Path):
    sandbox = Sandbox(tmp_path / "sandbox")
    yield sandbox
    sandbox.stop()


def test_start_status_stop(box: Sandbox) -> None:
    assert box.status() is None
    info, new = box.start()
    assert new and info.host == "127.0.0.1" and healthy(info.url, info.ca_bundle)
    assert box.status() == info
    again, new_again = box.start()
    assert (again, new_again) == (info, False)
    assert "listening on https://127.0.0.1:" in box.log_file.read_text()
    box.pulumi_dir.mkdir(parents=True)
    (box.pulumi_dir / "state.json").write_text("{}")
    assert box.stop() == info
    assert not alive(info.pid)
    assert box.status() is None
    assert not box.pulumi_dir.exists(), "the sandbox's Pulumi state must die with it"
    assert box.stop() is None


def test_server_loads_managed_policies_and_gap_fills(box: Sandbox) -> None:
    info, _ = box.start()
    iam = client(info, "iam")
    names = {p["PolicyName"] for p in iam.list_policies(Scope="AWS", MaxItems=1000)["Policies"]}
    assert "AWSBackupServiceRolePolicyForBackup" in names
    # logs:AssociateKmsKey is one of the gap fills (moto 5.2.1 lacks it).
    logs, kms = client(info, "logs"), client(info, "kms")
    logs.create_log_group(logGroupName="/gap/check")
    # As on AWS, the key policy must let CloudWatch Logs use the key.
    logs_may_use = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "logs.eu-west-1.amazonaws.com"},
        "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        "Resource": "*"}]}
    key = kms.create_key(Policy=json.dumps(logs_may_use))["KeyMetadata"]["Arn"]
    logs.associate_kms_key(logGroupName="/gap/check", kmsKeyId=key)
    assert logs.describe_log_groups(logGroupNamePrefix="/gap/check")["logGroups"][0]["kmsKeyId"] == key


def test_reset_gives_a_new_empty_instance_in_the_same_server(box: Sandbox) -> None:
    from provision.stacks.sandbox.faults import FaultConfig, FaultControl, Rule

    info, _ = box.start(iam_propagation_seconds=3)
    client(info, "s3").create_bucket(Bucket="kept-until-reset", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    client(info, "iam").create_role(RoleName="kept-until-reset", AssumeRolePolicyDocument="{}")
    FaultControl(info.url, info.ca_bundle).set(FaultConfig(rules=(Rule(service="s3", operation="ListBuckets"),)))
    box.pulumi_dir.mkdir(parents=True)
    fresh = box.reset(iam_propagation_seconds=0)
    assert (fresh.pid, fresh.instance_id != info.instance_id, fresh.iam_propagation_seconds) == (info.pid, True, 0)
    assert json.loads(box.info_file.read_text())["instanceId"] == fresh.instance_id
    assert client(fresh, "s3").list_buckets()["Buckets"] == []  # and no fault left to fail it
    assert [r["RoleName"] for r in client(fresh, "iam").list_roles()["Roles"]] == []
    assert client(fresh, "iam").get_policy(PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")["Policy"]["PolicyName"]
    assert not box.pulumi_dir.exists()


def test_reset_with_a_preset_starts_a_new_server(box: Sandbox) -> None:
    info, _ = box.start()
    fresh = box.reset(preset="landing-zone")
    assert (fresh.preset, fresh.instance_id != info.instance_id, alive(info.pid)) == ("landing-zone", True, False)


def test_crashed_server_is_replaced_and_its_state_wiped(box: Sandbox) -> None:
    info, _ = box.start()
    box.pulumi_dir.mkdir(parents=True)
    os.kill(info.pid, signal.SIGKILL)  # the server this test started
    while alive(info.pid):
        os.waitpid(info.pid, os.WNOHANG)
        time.sleep(0.05)
    assert box.status() is None
    fresh, new = box.start()
    assert new and fresh.instance_id != info.instance_id
    assert not box.pulumi_dir.exists()


def test_failed_start_reports_the_log(box: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    from provision.stacks.sandbox import SandboxError
    from provision.stacks.sandbox import lifecycle

    monkeypatch.setattr(lifecycle, "SERVER_MODULE", "provision.stacks.sandbox.no_such_module")
    with pytest.raises(SandboxError, match=r"The sandbox server exited during start-up \(exit 1\); see .*server.log:\n"):
        box.start()


def test_cli_lifecycle(tmp_path: Path) -> None:
    runner = CliRunner()
    state = ["--state-dir", str(tmp_path / "state")]
    try:
        steps = [
            (["status"], 1, "Error: The sandbox is not running. Start it with `provision sandbox start`.\n"),
            (["start"], 0, "Started sandbox instance "),
            (["start"], 0, "Already running: sandbox instance "),
            (["status"], 0, "running: instance "),
            (["reset"], 0, "Reset: sandbox instance "),
            (["stop"], 0, "Stopped sandbox instance "),
            (["stop"], 0, "The sandbox was not running.\n"),
        ]
        for args, code, start in steps:
            result = runner.invoke(cli, ["sandbox", *args, *state])
            assert (result.exit_code, result.output[: len(start)]) == (code, start), args
    finally:
        Sandbox(tmp_path / "state" / "sandbox").stop()


def test_the_sandbox_serves_https_with_its_own_ca_and_tls_only_buckets_work(box: Sandbox) -> None:
    from botocore.exceptions import SSLError

    info, _ = box.start()
    assert info.url.startswith("https://127.0.0.1:") and Path(info.ca_bundle).read_text().startswith("-----BEGIN CERTIFICATE")
    s3 = client(info, "s3")
    s3.create_bucket(Bucket="tls-only", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_policy(Bucket="tls-only", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": ["arn:aws:s3:::tls-only", "arn:aws:s3:::tls-only/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))

    s3.put_object(Bucket="tls-only", Key="k", Body=b"x")
    assert s3.get_object(Bucket="tls-only", Key="k")["Body"].read() == b"x"

    untrusting = boto3.session.Session(
        aws_access_key_id="sandbox", aws_secret_access_key="sandbox-secret", region_name="eu-west-1"
    ).client("s3", endpoint_url=info.url)
    with pytest.raises(SSLError):
        untrusting.list_buckets()
