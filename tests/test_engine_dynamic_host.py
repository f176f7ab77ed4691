"""Our dynamic provider host: Pulumi's, plus previews that keep stable outputs known."""

from __future__ import annotations

import subprocess
import sys

from google.protobuf import json_format, struct_pb2

from provision.stacks.engine import dynamic_host


def struct(data: dict) -> struct_pb2.Struct:
    return json_format.ParseDict(data, struct_pb2.Struct())


def test_update_preview_keeps_stable_outputs_and_takes_new_inputs() -> None:
    olds = struct({"bucket": "b", "tags": {"owner": "a"}, "arn": "arn:aws:s3:::b", "other": "kept?"})
    news = struct({"bucket": "b", "tags": {"owner": "b"}, "arn": None})
    state = json_format.MessageToDict(dynamic_host.preview_state(olds, news, frozenset({"arn", "missing"})))
    assert state == {"bucket": "b", "tags": {"owner": "b"}, "arn": "arn:aws:s3:::b"}


def test_an_input_named_like_an_output_wins() -> None:
    olds = struct({"arn": "old"})
    news = struct({"arn": "given"})
    assert json_format.MessageToDict(dynamic_host.preview_state(olds, news, frozenset({"arn"}))) == {"arn": "given"}


def test_stable_outputs_are_the_providers_outputs() -> None:
    class Provider:
        OUTPUTS = frozenset({"arn", "id"})

    assert dynamic_host.stable_outputs(Provider()) == {"arn", "id"}
    assert dynamic_host.stable_outputs(object()) == frozenset()


def test_importing_the_host_serves_nothing() -> None:
    # Pulumi's module starts a server on import; ours must only when run.
    done = subprocess.run(
        [sys.executable, "-c", "import provision.stacks.engine.dynamic_host as h; print(h.stock.main.__name__)"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (0, "main\n")


def test_run_as_a_module_it_announces_its_port() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "provision.stacks.engine.dynamic_host"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip().isdigit()
    finally:
        proc.kill()
        proc.wait()


def test_the_host_serves_more_than_the_stock_four_requests_at_once(monkeypatch) -> None:
    pool = dynamic_host._WideExecutors().ThreadPoolExecutor(max_workers=4)
    assert pool._max_workers == dynamic_host.PROVIDER_WORKERS > 4
    pool.shutdown()

    monkeypatch.setenv("PROVISION_PROVIDER_WORKERS", "32")
    assert dynamic_host.provider_workers() == 32
    monkeypatch.setenv("PROVISION_PROVIDER_WORKERS", "none")
    assert dynamic_host.provider_workers() == dynamic_host.PROVIDER_WORKERS
