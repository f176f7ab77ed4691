"""Refresh through our dynamic provider host: a provider's `read` of None means "deleted", not a crash.

The stock host fails on a None read ("'NoneType' object has no attribute
'outs'"), which made every refresh and drift check of a stack with a deleted
resource fail. These call the host's Read the way the engine does.
"""

from __future__ import annotations

import asyncio

from google.protobuf import json_format
from pulumi.dynamic import ReadResult, ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import proto, rpc

from provision.stacks.engine import dynamic_host


class GoneOrThere(ResourceProvider):
    def read(self, id_, props):
        if id_ == "gone":
            return None
        return ReadResult(id_, {**props, "size": 3}, inputs={"name": props["name"]} if id_ == "with-inputs" else None)


def read(resource_id: str) -> dict:
    blob = serialize_provider(GoneOrThere())
    loop = asyncio.new_event_loop()
    try:
        properties = loop.run_until_complete(rpc.serialize_properties({"name": "n", "__provider": blob}, {}))
    finally:
        loop.close()
    servicer = dynamic_host.PreviewingServicer()
    answer = servicer.Read(proto.ReadRequest(id=resource_id, properties=properties), None)
    return json_format.MessageToDict(answer)


def test_a_gone_resource_reads_as_no_id() -> None:
    assert read("gone") == {}


def test_a_live_resource_reads_its_outputs_with_the_provider() -> None:
    answer = read("there")
    assert answer["id"] == "there"
    assert {k: v for k, v in answer["properties"].items() if k != "__provider"} == {"name": "n", "size": 3.0}
    assert answer["properties"]["__provider"]
    assert "inputs" not in answer


def test_inputs_a_provider_returns_are_passed_on() -> None:
    answer = read("with-inputs")
    assert {k: v for k, v in answer["inputs"].items() if k != "__provider"} == {"name": "n"}
