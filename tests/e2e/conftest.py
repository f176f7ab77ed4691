"""Helpers for end-to-end tests: the example plan as a writable copy, and tag sweeps."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from tests.examples import copy_exit_plans

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = REPO_ROOT / "examples" / "saas-startup.yaml"
# Where the example's resources live: its region, the backup copy region, and S3/IAM's home.
REGIONS = ("eu-west-1", "eu-central-1", "us-east-1")
HOSTING_LINE = "hosting: {kind: static-site}"
EXAMPLE_NAME_LINE = "name: brightdesk-prod"


@pytest.fixture(scope="session")
def write_example() -> Callable[..., Path]:
    """`write_example(directory, name=..., price_class=...)`: the README example, renamed, one setting explicit.

    A name of its own keeps its AWS names apart from other tests' runs of the
    example in the same sandbox (moto remembers some deleted names).
    """

    def write(directory: Path, *, name: str, price_class: str) -> Path:
        text = EXAMPLE.read_text()
        for fixed in (HOSTING_LINE, EXAMPLE_NAME_LINE):
            assert text.count(fixed) == 1, f"the example no longer has {fixed!r}; update this helper"
        text = text.replace(EXAMPLE_NAME_LINE, f"name: {name}")
        path = directory / "saas-startup.yaml"
        copy_exit_plans(directory)
        path.write_text(text.replace(HOSTING_LINE, f"hosting: {{kind: static-site, priceClass: {price_class}}}"))
        return path

    return write


@pytest.fixture
def tagged(sandbox_client) -> Callable[[str], dict[str, dict[str, str]]]:
    """`tagged(plan)`: ARN -> tags of every live resource tagged provision:plan=<plan>.

    KMS keys pending deletion and deleted NAT gateways are not live: AWS (and
    the sandbox) keep showing them, tags included, for a while after deletion.
    """

    def sweep(plan: str) -> dict[str, dict[str, str]]:
        found: dict[str, dict[str, str]] = {}
        for region in REGIONS:
            api = sandbox_client("resourcegroupstaggingapi", region)
            pages = api.get_paginator("get_resources").paginate(TagFilters=[{"Key": "provision:plan", "Values": [plan]}])
            for page in pages:
                for item in page["ResourceTagMappingList"]:
                    arn = item["ResourceARN"]
                    if ":kms:" in arn and _pending_deletion(sandbox_client("kms", region), arn):
                        continue
                    if ":natgateway/" in arn and _nat_deleted(sandbox_client("ec2", region), arn):
                        continue
                    found[arn] = {t["Key"]: t["Value"] for t in item.get("Tags", [])}
        return found

    return sweep


def _pending_deletion(kms, arn: str) -> bool:
    return kms.describe_key(KeyId=arn)["KeyMetadata"]["KeyState"] == "PendingDeletion"


def _nat_deleted(ec2, arn: str) -> bool:
    gateways = ec2.describe_nat_gateways(NatGatewayIds=[arn.rsplit("/", 1)[-1]])["NatGateways"]
    return all(g["State"] in ("deleting", "deleted") for g in gateways)
