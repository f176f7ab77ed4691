"""moto's reset on the sandbox: every backend is dropped, none re-created; S3 still closes its files."""

from __future__ import annotations

import boto3
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.base_backend import BackendDict
from moto.iam.models import IAMBackend, iam_backends
from moto.s3.models import s3_backends

from provision.stacks.sandbox.gaps import backend_reset

REGION = "eu-west-1"


def test_a_reset_drops_every_backend_and_closes_s3_objects(gap_env, monkeypatch) -> None:
    backend_reset.install()  # tests/conftest.py installs it for the run; install() is idempotent
    made: list[str] = []
    original_init = IAMBackend.__init__

    def counting_init(self, *args, **kwargs):
        made.append(args[0] if args else kwargs.get("region_name"))
        original_init(self, *args, **kwargs)

    with mock_aws():
        boto3.client("iam", region_name=REGION).create_role(RoleName="vendor", AssumeRolePolicyDocument="{}")
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="claims", CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_object(Bucket="claims", Key="batch.csv", Body=b"a,b\n")
        key = s3_backends[DEFAULT_ACCOUNT_ID]["aws"].buckets["claims"].keys["batch.csv"]
        monkeypatch.setattr(IAMBackend, "__init__", counting_init)

        BackendDict.reset()

        assert made == []  # moto's own reset re-created the IAM backend (its managed policies) to drop it
        assert (len(iam_backends), len(s3_backends), BackendDict._instances) == (0, 0, [])
        assert key._value_buffer.closed
        assert boto3.client("iam", region_name=REGION).list_roles()["Roles"] == []
        assert boto3.client("s3", region_name=REGION).list_buckets()["Buckets"] == []
