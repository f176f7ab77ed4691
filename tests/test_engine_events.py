"""Folding engine events into per-resource changes, and engine errors into one paragraph."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.automation import CommandError
from pulumi.automation._cmd import CommandResult
from pulumi.automation.events import EngineEvent

from provision.stacks.engine.errors import engine_error
from provision.stacks.engine.events import ChangeSet

STACK = "urn:pulumi:prod::acme::pulumi:pulumi:Stack::acme-prod"
WEB = "urn:pulumi:prod::acme::provision:function:Hosting::web"
BUCKET = "urn:pulumi:prod::acme::provision:function:Hosting$pulumi-python:dynamic/aws:S3Bucket::web-bucket"
CDN = "urn:pulumi:prod::acme::provision:function:Hosting$pulumi-python:dynamic/aws:CloudFrontDistribution::web-cdn"
POLICY = (
    "urn:pulumi:prod::acme::provision:function:Hosting$pulumi-python:dynamic/aws:S3Bucket$"
    "pulumi-python:dynamic:Resource::web-bucket-policy"
)
ROLE = "urn:pulumi:prod::acme::pulumi-python:dynamic/aws:IamRole::nightwatch-access"
PROVIDER = "urn:pulumi:prod::acme::pulumi:providers:pulumi-python::default"


def step(kind: str, op: str, urn: str, parent: str, *, custom: bool = True, **extra: Any) -> EngineEvent:
    rtype = urn.split("::")[2].rsplit("$", 1)[-1]
    state = {"type": rtype, "urn": urn, "parent": parent, "custom": custom}
    meta = {"op": op, "urn": urn, "type": rtype, "provider": "", "new": {**state, "inputs": extra.pop("new", {})}}
    if "old" in extra:
        meta["old"] = {**state, "inputs": extra.pop("old")}
    meta.update(extra)
    key = {"pre": "resourcePreEvent", "out": "resOutputsEvent", "failed": "resOpFailedEvent"}[kind]
    body: dict[str, Any] = {"metadata": meta}
    if kind == "failed":
        body.update(status=1, steps=0)
    return EngineEvent.from_json({"sequence": 1, "timestamp": 0, key: body})


def diag(severity: str, message: str, urn: str = "") -> EngineEvent:
    event = {"message": message, "color": "never", "severity": severity, "urn": urn}
    return EngineEvent.from_json({"sequence": 1, "timestamp": 0, "diagnosticEvent": event})


def feed(*events: EngineEvent) -> ChangeSet:
    changes = ChangeSet()
    for event in events:
        changes(event)
    return changes


def component_events(op: str = "same") -> list[EngineEvent]:
    return [
        step("pre", op, STACK, "", custom=False),
        step("pre", op, WEB, STACK, custom=False),
        step("pre", op, PROVIDER, "", custom=True),
    ]


def test_ops_are_folded_per_resource_and_grouped_by_function() -> None:
    changes = feed(
        *component_events(),
        step("pre", "update", CDN, WEB, old={"price_class": "PriceClass_100"}, new={"price_class": "PriceClass_All"}),
        step("pre", "create-replacement", BUCKET, WEB, keys=["bucket_name"]),
        step("pre", "replace", BUCKET, WEB, keys=["bucket_name"]),
        step("pre", "delete-replaced", BUCKET, WEB),
        step("pre", "create", POLICY, BUCKET),
        step("pre", "same", ROLE, STACK),
    )
    summary = [(c.function, c.name, c.kind, c.op, c.replace_keys, c.changed_keys) for c in changes.ordered()]
    assert summary == [
        ("web", "web-bucket-policy", "", "create", (), ()),
        ("web", "web-cdn", "CloudFrontDistribution", "update", (), ("price_class",)),
        ("web", "web-bucket", "S3Bucket", "replace", ("bucket_name",), ()),
        (None, "nightwatch-access", "IamRole", "same", (), ()),
    ]
    assert list(changes.by_function()) == ["web", None]
    assert changes.counts() == {"create": 1, "update": 1, "replace": 1, "delete": 0, "read": 0, "same": 1}
    assert changes.has_changes


def test_update_keys_ignore_engine_inputs() -> None:
    changes = feed(
        *component_events(),
        step("pre", "update", CDN, WEB, old={"__provider": "a", "x": 1, "y": 2}, new={"__provider": "b", "x": 1, "y": 3}),
    )
    assert changes.changes[CDN].changed_keys == ("y",)


def test_only_same_is_no_change() -> None:
    changes = feed(*component_events(), step("pre", "same", BUCKET, WEB), step("out", "same", BUCKET, WEB))
    assert not changes.has_changes
    assert changes.counts()["same"] == 1


def test_failure_is_attributed_to_the_resource() -> None:
    changes = feed(
        *component_events("create"),
        step("pre", "create", BUCKET, WEB),
        diag("debug", "registering"),
        diag("error", "Exception calling application: CreateBucket: AccessDenied: denied\n", BUCKET),
        step("failed", "create", BUCKET, WEB),
        diag("error", "update failed\n"),
    )
    assert changes.failed == {BUCKET: "CreateBucket: AccessDenied: denied"}
    assert [d.severity for d in changes.diagnostics] == ["error", "error"]


class Recorder:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str]] = []

    def started(self, change) -> None:
        self.seen.append(("started", change.name, change.op))

    def finished(self, change) -> None:
        self.seen.append(("finished", change.name, change.op))

    def failed(self, change, message: str) -> None:
        self.seen.append(("failed", change.name, message))


def test_listener_sees_resources_only() -> None:
    recorder = Recorder()
    changes = ChangeSet(listener=recorder)
    for event in [
        *component_events("create"),
        step("pre", "create", BUCKET, WEB),
        step("out", "create", BUCKET, WEB),
        step("pre", "create", CDN, WEB),
        diag("error", "CreateDistribution: InvalidArgument: bad origin", CDN),
        step("failed", "create", CDN, WEB),  # the engine reports a failure twice
    ]:
        changes(event)
    assert recorder.seen == [
        ("started", "web-bucket", "create"),
        ("finished", "web-bucket", "create"),
        ("started", "web-cdn", "create"),
        ("failed", "web-cdn", "CreateDistribution: InvalidArgument: bad origin"),
    ]


def command_error(stdout: str, stderr: str = "", code: int = 1) -> CommandError:
    return CommandError(CommandResult(stdout=stdout, stderr=stderr, code=code))


@pytest.mark.parametrize(
    ("events", "stdout", "expected"),
    [
        (
            [
                step("pre", "create", BUCKET, WEB),
                diag("error", "Exception calling application: CreateBucket: BucketAlreadyExists: taken", BUCKET),
            ],
            "",
            "The update failed: Creating S3Bucket web-bucket of function web failed: "
            "CreateBucket: BucketAlreadyExists: taken.",
        ),
        (
            [diag("error", "update failed"), diag("error", "the stack's program raised: KeyError 'web'")],
            "",
            "The update failed: the stack's program raised: KeyError 'web'",
        ),
        (
            [],
            "Updating (prod):\n    error: could not read plugin [pulumi-python]\n    error: update failed\n",
            "The update failed: could not read plugin [pulumi-python]",
        ),
        ([], "", "The update failed: the engine exited with an error (exit 1)"),
    ],
)
def test_engine_error_is_one_paragraph(events: list[EngineEvent], stdout: str, expected: str) -> None:
    changes = feed(*component_events("create"), *events)
    assert str(engine_error("update", command_error(stdout), changes)) == expected


def test_locked_stack_is_explained() -> None:
    from pulumi.automation.errors import create_command_error

    exc = create_command_error(CommandResult(stdout="", stderr="error: the stack is currently locked by 1 lock(s)", code=255))
    assert str(engine_error("update", exc)).startswith(
        "The update could not start: another run holds the lock of this stack."
    )


def test_engine_stderr_errors_are_found() -> None:
    exc = command_error("", 'error: unable to open state directory "file:///x": stat /x: no such file or directory')
    assert str(engine_error("stack selection", exc)) == (
        'The stack selection failed: unable to open state directory "file:///x": stat /x: no such file or directory'
    )
