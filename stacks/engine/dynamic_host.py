"""The process that serves our dynamic providers to the engine (`python -m` this module).

It is Pulumi's own dynamic provider host with one addition: previews. The
stock host does not support them, so during a preview the engine takes an
updated resource's new *inputs* as its state, and every output (an ARN, an
id) turns unknown. Everything that uses such an output then shows as a
possible update, and a plan that changes one setting lists changes it will
not make. Here an update in preview keeps the outputs the provider declares
stable (AwsResourceProvider: its OUTPUTS, which an in-place update never
changes), and a create in preview changes nothing and returns the inputs,
exactly as the engine did before. Real creates and updates are untouched.

And it serves more requests at once: the stock host answers four at a
time, which caps the engine's parallelism at four AWS resources whatever the
plan's size. Provider calls wait on AWS, not on the CPU, so PROVIDER_WORKERS
(env PROVISION_PROVIDER_WORKERS) threads serve them.

And one fix: our providers' `read` returns None when the resource is gone,
which the stock host cannot pass on (it fails on the missing result). Here
it becomes the answer the engine expects for a deleted resource, an empty
id, so refresh and drift report the deletion instead of failing.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import threading
import types
from concurrent import futures
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime import proto, rpc

STOCK_HOST = "pulumi.dynamic.__main__"


def _load_stock_host() -> types.ModuleType:
    """Pulumi's host module, without running it: its last line calls main() unconditionally."""
    spec = importlib.util.find_spec(STOCK_HOST)
    assert spec is not None and spec.loader is not None and spec.origin is not None
    source = spec.loader.get_source(STOCK_HOST) or ""
    body, _, call = source.rstrip().rpartition("\n")
    if call.strip() != "main()":
        raise RuntimeError(f"{spec.origin} no longer ends with main(); update {__name__} for this pulumi version")
    module = types.ModuleType("pulumi.dynamic._stock_host")
    module.__file__ = spec.origin
    exec(compile(body, spec.origin, "exec"), module.__dict__)  # noqa: S102 - the installed SDK's own code
    return module


stock = _load_stock_host()


def stable_outputs(provider: Any) -> frozenset[str]:
    """The outputs an in-place update keeps (a replace is a create, which keeps nothing)."""
    return frozenset(getattr(provider, "OUTPUTS", ()) or ())


def preview_state(olds: struct_pb2.Struct, news: struct_pb2.Struct, stable: frozenset[str]) -> struct_pb2.Struct:
    """The new inputs, with stable outputs carried over from the old state where the inputs leave them empty."""
    state = struct_pb2.Struct()
    state.CopyFrom(news)
    for key in stable:
        if key in olds.fields and (key not in news.fields or news.fields[key].HasField("null_value")):
            state.fields[key].CopyFrom(olds.fields[key])
    return state


class PreviewingServicer(stock.DynamicResourceProviderServicer):
    def Configure(self, request, context):
        response = super().Configure(request, context)
        response.supportsPreview = True
        return response

    def Create(self, request, context):
        if request.preview:
            return proto.CreateResponse(properties=request.properties)
        return super().Create(request, context)

    def Update(self, request, context):
        if not request.preview:
            return super().Update(request, context)
        news = rpc.deserialize_properties(request.news, True)
        olds = rpc.deserialize_properties(request.olds, True)
        carrier = news if news.get(stock.PROVIDER_KEY) not in (None, rpc.UNKNOWN) else olds
        provider = stock.get_provider(carrier, self._config)
        return proto.UpdateResponse(properties=preview_state(request.olds, request.news, stable_outputs(provider)))


    def Read(self, request, context):
        props = rpc.deserialize_properties(request.properties)
        result = stock.get_provider(props, self._config).read(request.id, props)
        if result is None:
            return proto.ReadResponse()  # no id: the resource no longer exists
        return read_response(result, props[stock.PROVIDER_KEY])


def read_response(result: Any, provider_blob: Any) -> Any:
    """The engine's answer for a ReadResult: its id, outputs and (when given) inputs, each with the provider."""
    loop = asyncio.new_event_loop()
    try:
        fields = {
            "id": result.id,
            "properties": loop.run_until_complete(
                rpc.serialize_properties({**result.outs, stock.PROVIDER_KEY: provider_blob}, {})
            ),
        }
        if result.inputs is not None:
            fields["inputs"] = loop.run_until_complete(
                rpc.serialize_properties({**result.inputs, stock.PROVIDER_KEY: provider_blob}, {})
            )
    finally:
        loop.close()
    return proto.ReadResponse(**fields)


PROVIDER_WORKERS = 16


def provider_workers() -> int:
    value = os.environ.get("PROVISION_PROVIDER_WORKERS", "")
    return int(value) if value.isdigit() and int(value) > 0 else PROVIDER_WORKERS


class _WideExecutors(types.SimpleNamespace):
    """Stands in for `concurrent.futures` inside the stock host: its pool gets our worker count."""

    def ThreadPoolExecutor(self, max_workers: int | None = None) -> futures.ThreadPoolExecutor:  # noqa: N802
        return futures.ThreadPoolExecutor(max_workers=max(provider_workers(), max_workers or 1))


def exit_with_engine(poll_seconds: float = 1.0) -> threading.Thread:
    """Exit when the engine that started this host dies.

    A SIGKILLed engine cannot stop its plugins, and an orphaned host would keep
    serving nothing for ever; the kernel re-parents orphans, so a changed
    parent pid is the engine's death.
    """
    engine_pid = os.getppid()

    def watch() -> None:
        while os.getppid() == engine_pid:
            threading.Event().wait(poll_seconds)
        os._exit(0)

    watcher = threading.Thread(target=watch, name="exit-with-engine", daemon=True)
    watcher.start()
    return watcher


def main() -> None:
    exit_with_engine()
    # The stock main() builds its servicer and pool by name; swap ours in and reuse the rest.
    stock.DynamicResourceProviderServicer = PreviewingServicer
    stock.futures = _WideExecutors()
    stock.main()


if __name__ == "__main__":
    main()
