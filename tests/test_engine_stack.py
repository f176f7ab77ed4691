"""Stack operations with the real engine against the real sandbox, on a tiny test program.

The program has one function component with S3 buckets made by a provider
defined here (inside a factory, so the engine pickles it by value and the
provider process needs no test module).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable
from urllib.parse import quote

import pulumi
import pytest

from provision.stacks.engine.consistency import StaleSandboxState
from provision.stacks.engine.errors import EngineError
from provision.stacks.engine.statedir import StateDir
from provision.stacks.sandbox import Sandbox
from provision.stacks.targets import resolve_target, sandbox_target, target_stack

pytestmark = pytest.mark.e2e

REGION = "eu-west-1"


def _bucket_provider():
    from provision.stacks.providers.base import AwsResourceProvider

    class TestBucketProvider(AwsResourceProvider):
        REPLACE_ON = frozenset({"bucket"})
        OUTPUTS = frozenset({"arn"})

        def create(self, props):
            from provision.stacks.providers.base import CreateResult, aws_call, client, tag_list

            s3 = client("s3")
            location = {"LocationConstraint": s3.meta.region_name}
            aws_call(f"CreateBucket {props['bucket']}", s3.create_bucket, Bucket=props["bucket"], CreateBucketConfiguration=location)
            s3.put_bucket_tagging(Bucket=props["bucket"], Tagging={"TagSet": tag_list(props["tags"])})
            return CreateResult(props["bucket"], self.outputs(props, arn=f"arn:aws:s3:::{props['bucket']}"))

        def update(self, _id, _olds, news):
            from provision.stacks.providers.base import UpdateResult, client, tag_list

            client("s3").put_bucket_tagging(Bucket=news["bucket"], Tagging={"TagSet": tag_list(news["tags"])})
            return UpdateResult(self.outputs(news, arn=f"arn:aws:s3:::{news['bucket']}"))

        def delete(self, _id, props):
            from provision.stacks.providers.base import client, is_not_found
            from botocore.exceptions import ClientError

            try:
                client("s3").delete_bucket(Bucket=props["bucket"])
            except ClientError as exc:
                if not is_not_found(exc):
                    raise

    return TestBucketProvider


class FakeBucket(pulumi.dynamic.Resource, module="aws", name="TestBucket"):
    arn: pulumi.Output[str]

    def __init__(self, name: str, bucket: str, tags: dict[str, str], opts: pulumi.ResourceOptions | None = None):
        super().__init__(_bucket_provider()(), name, {"bucket": bucket, "tags": tags, "arn": None}, opts)


def web_program(buckets: dict[str, str], owner: str = "web-team") -> Callable[[], None]:
    """Function `web` with one TestBucket per entry (logical name -> bucket name)."""

    def program() -> None:
        web = pulumi.ComponentResource("provision:function:Hosting", "web")
        for logical, bucket in buckets.items():
            made = FakeBucket(logical, bucket, {"owner": owner, "provision:plan": "enginetest"}, pulumi.ResourceOptions(parent=web))
            pulumi.export(logical, made.arn)

    return program


@pytest.fixture
def stack_for(engine, sandbox, sandbox_state):
    """StackOps of a fresh project on the session sandbox: stack_for(program, project, backend=None)."""
    target = resolve_target("sandbox", REGION, sandbox_state, start_sandbox=False)
    made = []

    def make(program, project: str, backend: str | None = None, state: StateDir = sandbox_state, tgt=target):
        ops = target_stack(tgt, state, project=project, stack="dev", engine=engine, backend=backend, program=program)
        made.append(ops)
        return ops

    yield make
    for ops in made:
        try:
            ops.forget()
        except Exception:  # noqa: BLE001 - best-effort cleanup of test stacks
            pass


def buckets(sandbox_client) -> set[str]:
    return {b["Name"] for b in sandbox_client("s3").list_buckets()["Buckets"]}


def tags_of(sandbox_client, bucket: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in sandbox_client("s3").get_bucket_tagging(Bucket=bucket)["TagSet"]}


def test_lifecycle_create_noop_update_replace_destroy(stack_for, sandbox_client) -> None:
    ops = stack_for(web_program({"logs": "eng-logs-1"}), "engine-lifecycle")
    preview = ops.preview()
    assert [(c.function, c.name, c.kind, c.op) for c in preview.ordered()] == [("web", "logs", "TestBucket", "create")]

    created = ops.up()
    assert created.changes.counts()["create"] == 1
    assert created.outputs == {"logs": "arn:aws:s3:::eng-logs-1"}
    assert tags_of(sandbox_client, "eng-logs-1")["owner"] == "web-team"

    assert not ops.preview().has_changes

    ops.program = web_program({"logs": "eng-logs-1"}, owner="platform")
    update = ops.preview()
    assert [(c.name, c.op, c.changed_keys) for c in update.with_op("update", "replace", "create", "delete")] == [
        ("logs", "update", ("tags",))
    ]
    ops.up()
    assert tags_of(sandbox_client, "eng-logs-1")["owner"] == "platform"

    ops.program = web_program({"logs": "eng-logs-2"}, owner="platform")
    replace = ops.preview()
    assert [(c.name, c.op, c.replace_keys) for c in replace.with_op("update", "replace", "create", "delete")] == [
        ("logs", "replace", ("bucket",))
    ]
    ops.up()
    assert "eng-logs-2" in buckets(sandbox_client) and "eng-logs-1" not in buckets(sandbox_client)

    status = ops.status()
    assert [(r.function, r.name, r.kind, r.id) for r in status.resources] == [("web", "logs", "TestBucket", "eng-logs-2")]
    assert status.outputs == {"logs": "arn:aws:s3:::eng-logs-2"}
    assert (status.last_update.kind, status.last_update.result) == ("update", "succeeded")

    gone = ops.destroy()
    assert gone.changes.counts()["delete"] == 1
    assert "eng-logs-2" not in buckets(sandbox_client)
    assert ops.status() is None
    assert ops.destroy() is None


def test_failure_names_the_resource_and_the_aws_error(stack_for, sandbox_client) -> None:
    sandbox_client("s3").create_bucket(Bucket="eng-fail-taken", CreateBucketConfiguration={"LocationConstraint": REGION})
    ops = stack_for(web_program({"good": "eng-fail-good", "bad": "eng-fail-taken"}), "engine-failure")
    with pytest.raises(EngineError) as err:
        ops.up()
    message = str(err.value)
    assert message.startswith(
        "The update of stack engine-failure/dev failed: Creating TestBucket bad of function web failed: "
        "CreateBucket eng-fail-taken: BucketAlreadyOwnedByYou: "
    )
    assert "Traceback" not in message and "\n" not in message
    ops.program = web_program({"good": "eng-fail-good"})
    ops.destroy()


def test_s3_backend_on_the_sandbox(stack_for, sandbox, sandbox_client) -> None:
    sandbox_client("s3").create_bucket(Bucket="pulumi-state", CreateBucketConfiguration={"LocationConstraint": REGION})
    backend = f"s3://pulumi-state?region={REGION}&endpoint={quote(sandbox.url, safe='')}&s3ForcePathStyle=true"
    ops = stack_for(web_program({"data": "eng-s3-backend"}), "engine-s3", backend=backend)
    ops.up()
    keys = [o["Key"] for o in sandbox_client("s3").list_objects_v2(Bucket="pulumi-state")["Contents"]]
    assert ".pulumi/stacks/engine-s3/dev.json" in keys
    assert [r.name for r in ops.status().resources] == ["data"]
    ops.destroy()
    assert "eng-s3-backend" not in buckets(sandbox_client)


def test_state_of_a_gone_sandbox_is_detected_never_reconciled(engine, tmp_path: Path) -> None:
    """A private sandbox: apply, reset it, and see what each backend says."""
    state = StateDir(tmp_path / "state").ensure()
    box = Sandbox(state.sandbox_dir)
    try:
        info, _ = box.start()
        first = sandbox_target(info, REGION, state.sandbox_dir)
        kept = (tmp_path / "kept-backend").as_uri()
        program = web_program({"one": "eng-stale-1"})
        default_ops = target_stack(first, state, project="engine-stale", stack="dev", engine=engine, program=program)
        kept_ops = target_stack(first, state, project="engine-kept", stack="dev", engine=engine, program=program, backend=kept)
        default_ops.up()
        kept_ops.program = web_program({"two": "eng-stale-2"})
        kept_ops.up()

        fresh = box.reset()
        second = sandbox_target(fresh, REGION, state.sandbox_dir)
        # The default sandbox backend went with the old instance.
        assert target_stack(second, state, project="engine-stale", stack="dev", engine=engine).status() is None
        # A backend outside the sandbox still lists the old resources: refused, with the way out.
        stale_ops = target_stack(second, state, project="engine-kept", stack="dev", engine=engine, program=program, backend=kept)
        with pytest.raises(StaleSandboxState) as err:
            stale_ops.preview()
        assert str(err.value) == (
            f"The Pulumi state of stack dev lists 1 resource(s) created in sandbox instance {info.instance_id}, "
            f"but the running sandbox is instance {fresh.instance_id}, which starts empty: those resources no "
            "longer exist. Run `provision destroy` on the plan to forget the stale state (nothing "
            "is deleted in AWS), then apply again."
        )
        assert stale_ops.stale_state() is not None
        stale_ops.forget()
        assert stale_ops.status() is None
        stale_ops.up()  # a fresh stack in the fresh sandbox
        assert stale_ops.stale_state() is None
    finally:
        box.stop()


def test_preview_of_an_update_keeps_outputs_known(stack_for) -> None:
    """An in-place update keeps its ARN: resources using it are not listed as changing."""

    def program_with(owner: str) -> Callable[[], None]:
        def program() -> None:
            web = pulumi.ComponentResource("provision:function:Hosting", "web")
            first = FakeBucket("first", "eng-dep-first", {"owner": owner}, pulumi.ResourceOptions(parent=web))
            FakeBucket("second", "eng-dep-second", {"peer": first.arn}, pulumi.ResourceOptions(parent=web))

        return program

    ops = stack_for(program_with("a"), "engine-dependents")
    ops.up()
    ops.program = program_with("b")
    preview = ops.preview()
    assert [(c.name, c.op, c.changed_keys) for c in preview.ordered()] == [
        ("first", "update", ("tags",)),
        ("second", "same", ()),
    ]
    ops.destroy()
