"""The sandbox's fault injector: AWS-shaped errors for every protocol, botocore retries them, counts are right.

Runs moto behind the injector in this process (as the sandbox server does),
with boto3 clients that either do not retry (to read the injected error as
the caller sees it) or retry in standard mode (as the providers do).
"""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any, Callable, Iterator

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from provision.stacks.providers.base import RETRY_CONFIG
from provision.stacks.sandbox.faults import Call, FaultConfig, FaultControl, FaultInjector, Rule, from_env
from tests.sandboxes import served_in_process

REGION = "eu-west-1"
NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})


@pytest.fixture(scope="module")
def injector() -> Iterator[tuple[FaultInjector, str]]:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    app = FaultInjector(DomainDispatcherApplication(create_backend_app), log=lambda _line: None)
    with served_in_process(app) as url:
        yield app, url


@pytest.fixture
def faults(injector) -> Iterator[FaultInjector]:
    app, _ = injector
    app.configure(FaultConfig())
    yield app
    app.configure(FaultConfig())


@pytest.fixture
def backoffs(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits botocore's retry backoff asks for, recorded instead of slept."""
    import botocore.endpoint

    waits: list[float] = []
    monkeypatch.setattr(botocore.endpoint, "time", SimpleNamespace(sleep=waits.append))
    return waits


@pytest.fixture
def make_client(injector) -> Callable[..., Any]:
    _, url = injector

    def make(service: str, config: Config = NO_RETRY):
        return boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
        ).client(service, endpoint_url=url, config=config)

    return make


# (service, a call that needs no prior state, throttle code, 5xx code) per wire protocol.
# Rules name a service as requests are signed for it: CloudWatch signs as "monitoring".
PROTOCOLS = [
    ("s3", lambda c: c.list_buckets(), "SlowDown", "ServiceUnavailable"),  # rest-xml, S3 error shape
    ("iam", lambda c: c.list_roles(), "Throttling", "ServiceUnavailable"),  # query
    ("sts", lambda c: c.get_caller_identity(), "Throttling", "ServiceUnavailable"),  # query
    ("ec2", lambda c: c.describe_vpcs(), "RequestLimitExceeded", "Unavailable"),  # ec2
    ("kms", lambda c: c.list_keys(), "ThrottlingException", "ServiceUnavailable"),  # json
    ("backup", lambda c: c.list_backup_vaults(), "ThrottlingException", "ServiceUnavailable"),  # rest-json
    ("cloudwatch", lambda c: c.describe_alarms(), "ThrottlingException", "ServiceUnavailable"),  # rpc-v2 cbor
    ("cloudfront", lambda c: c.list_distributions(), "Throttling", "ServiceUnavailable"),  # rest-xml
]


@pytest.mark.parametrize(("service", "call", "throttle", "unavailable"), PROTOCOLS, ids=[p[0] for p in PROTOCOLS])
def test_transient_faults_reach_the_caller_in_aws_shape(faults, make_client, service, call, throttle, unavailable) -> None:
    client = make_client(service)
    call(client)  # passes through while nothing is configured
    seen: set[tuple[str, int]] = set()
    faults.configure(FaultConfig(rate=1.0, seed=7))
    for _ in range(12):
        with pytest.raises(ClientError) as caught:
            call(client)
        error = caught.value.response
        seen.add((error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]))
    throttle_status = 503 if service in ("s3", "ec2") else 400
    assert seen == {(throttle, throttle_status), (unavailable, 503)}
    assert faults.stats.injected == 12


@pytest.mark.parametrize(("service", "call"), [(p[0], p[1]) for p in PROTOCOLS], ids=[p[0] for p in PROTOCOLS])
def test_botocore_retries_injected_faults_until_the_call_succeeds(faults, make_client, backoffs, service, call) -> None:
    client = make_client(service, RETRY_CONFIG)
    signed_as = client.meta.service_model.signing_name
    faults.configure(FaultConfig(rules=(Rule(service=signed_as, code="ThrottlingException", status=400, times=2),)))
    call(client)
    assert faults.stats.injected == 2
    assert faults.stats.requests == 3
    assert len(backoffs) == 2 and all(wait > 0 for wait in backoffs)  # one backoff before each retry


def test_a_rule_fails_one_operation_every_time_and_names_it(faults, make_client) -> None:
    rule = Rule(service="s3", method="PUT", path=r"^/locked-bucket\?.*encryption", code="AccessDenied", status=403,
                message="Injected: no PutBucketEncryption")
    faults.configure(FaultConfig(rules=(rule,)))
    s3 = make_client("s3", RETRY_CONFIG)
    for bucket in ("locked-bucket", "open-bucket"):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    encryption = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}
    s3.put_bucket_encryption(Bucket="open-bucket", ServerSideEncryptionConfiguration=encryption)
    for _ in range(2):
        with pytest.raises(ClientError) as caught:
            s3.put_bucket_encryption(Bucket="locked-bucket", ServerSideEncryptionConfiguration=encryption)
        error = caught.value.response["Error"]
        assert (error["Code"], error["Message"]) == ("AccessDenied", "Injected: no PutBucketEncryption")
    assert faults.stats.by_code == {"AccessDenied": 2}  # permanent errors are not retried
    assert list(faults.stats.by_call) == ["s3 PUT /locked-bucket?encryption"]


def test_rules_match_json_operations_by_name(faults, make_client) -> None:
    faults.configure(FaultConfig(rules=(Rule(service="kms", operation="CreateKey", code="AccessDeniedException", status=400),)))
    kms = make_client("kms")
    kms.list_keys()
    with pytest.raises(ClientError) as caught:
        kms.create_key()
    assert caught.value.response["Error"]["Code"] == "AccessDeniedException"
    assert faults.stats.by_call == {"kms CreateKey": 1}


def test_query_operations_are_read_from_the_form_body_which_moto_still_gets(faults, make_client) -> None:
    faults.configure(FaultConfig(rules=(Rule(service="iam", operation="CreateRole", times=1),)))
    iam = make_client("iam")
    document = '{"Version": "2012-10-17", "Statement": []}'
    with pytest.raises(ClientError):
        iam.create_role(RoleName="faulty", AssumeRolePolicyDocument=document)
    iam.create_role(RoleName="faulty", AssumeRolePolicyDocument=document)  # moto read the whole body
    assert iam.get_role(RoleName="faulty")["Role"]["RoleName"] == "faulty"
    iam.delete_role(RoleName="faulty")


def test_the_same_seed_fails_the_same_calls(faults, make_client) -> None:
    sts = make_client("sts")

    def pattern(seed: int) -> list[bool]:
        faults.configure(FaultConfig(rate=0.3, seed=seed))
        outcome = []
        for _ in range(40):
            try:
                sts.get_caller_identity()
                outcome.append(True)
            except ClientError:
                outcome.append(False)
        return outcome

    first = pattern(11)
    assert pattern(11) == first
    assert pattern(12) != first
    assert 0 < first.count(False) < 40


def test_the_control_endpoint_sets_counts_and_clears(injector, make_client, backoffs) -> None:
    _, url = injector
    control = FaultControl(url)
    answer = control.set(FaultConfig(rules=(Rule(service="sts", times=2, code="Throttling", status=400),)))
    assert (answer["injected"], answer["config"]["rules"][0]["times"]) == (0, 2)
    make_client("sts", RETRY_CONFIG).get_caller_identity()
    stats = control.stats()
    assert stats["byCall"] == {"sts GetCallerIdentity": 2}
    assert (stats["requests"], stats["seen"]) == (3, {"sts GetCallerIdentity": 3})  # two faults, one retry that passed
    assert control.clear()["injected"] == 2  # the counts of the config it ended
    assert control.stats() == {
        "config": {"rate": 0.0, "seed": 0, "rules": []}, "requests": 0, "injected": 0, "byCode": {}, "byCall": {}, "seen": {},
    }


@pytest.mark.parametrize(
    ("call", "kind"),
    [
        (Call("sts", "GetCallerIdentity", "POST", "/", "", "query"), "sts GetCallerIdentity"),
        (Call("s3", None, "GET", "/site-bucket", "policy=", "s3"), "s3 GET ?policy"),
        (Call("s3", None, "PUT", "/b", "tagging&versionId=3", "s3"), "s3 PUT ?tagging&versionId"),
        (Call("s3", None, "HEAD", "/b", "", "s3"), "s3 HEAD"),
    ],
)
def test_a_call_kind_leaves_out_resource_names(call: Call, kind: str) -> None:
    assert call.kind == kind


@pytest.mark.parametrize(
    ("config", "error"),
    [
        ({"rate": 2}, "rate must be between 0 and 1"),
        ({"rats": 0.1}, "unknown fault config keys: rats"),
        ([1], "a fault config is a JSON object"),
    ],
)
def test_a_bad_config_is_refused(config, error) -> None:
    with pytest.raises(ValueError, match=error):
        FaultConfig.from_json(config)


def test_the_start_up_config_comes_from_the_environment() -> None:
    assert from_env({}) == FaultConfig()
    assert from_env({"PROVISION_SANDBOX_FAULTS": '{"rate": 0.2, "seed": 3}'}) == FaultConfig(rate=0.2, seed=3)


def test_unsigned_requests_are_never_failed(faults, injector) -> None:
    import urllib.request

    faults.configure(FaultConfig(rate=1.0))
    with urllib.request.urlopen(f"{injector[1]}/moto-api/config", timeout=10) as response:
        assert 200 <= response.status < 300
    assert faults.stats.requests == 0


def test_a_held_call_answers_when_the_config_is_cleared(faults, make_client) -> None:
    """A hold is a bound, not a timer: clearing the config answers the held call at once."""
    faults.configure(FaultConfig(rules=(Rule(service="sqs", code="ServiceUnavailable", status=503, hold=600),)))
    answered = threading.Event()
    errors: list[str] = []

    def call() -> None:
        try:
            make_client("sqs").list_queues()
        except ClientError as exc:
            errors.append(exc.response["Error"]["Code"])
        answered.set()

    caller = threading.Thread(target=call, daemon=True)
    caller.start()
    while faults.stats.injected == 0:
        assert caller.is_alive(), "the call ended before it was held"
        threading.Event().wait(0.05)
    assert not answered.is_set(), "the held call answered before the release"
    faults.configure(FaultConfig())
    assert answered.wait(30), "clearing the config did not release the held call"
    assert errors == ["ServiceUnavailable"]
