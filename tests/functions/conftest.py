"""Pulumi mocks for function-program tests: build a program and inspect its resource graph.

`build_graph(build, ctx)` runs `build(ctx)` under `pulumi.runtime.set_mocks`
and returns a `Graph`: each dynamic resource's inputs by logical name, the
provider class behind it, its parent's type, and the component's outputs.
Mocked outputs are deterministic: a provider's unset OUTPUTS become
"<name>-<output>", an ARN "arn:aws:<service>:mock:<name>" (the service of
the provider's module, so code that scopes by service sees the right one),
the id "<name>-id".
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, Callable

import dill
import pulumi
import pytest
from pulumi.runtime.mocks import MockMonitor

# Our providers declare `module="aws"`, so their types read pulumi-python:dynamic/aws:<Kind>.
DYNAMIC_PREFIX = "pulumi-python:dynamic/aws:"


def is_dynamic(type_token: str) -> bool:
    return type_token.rsplit("$", 1)[-1].startswith(DYNAMIC_PREFIX)
# Provider modules whose first word is not the ARN's service.
ARN_SERVICES = {
    "budget": "budgets",
    "eventbridge_rule": "events",
    "flow_log": "ec2",
    "internet_gateway": "ec2",
    "log_group": "logs",
    "nat_gateway": "ec2",
    "route_table": "ec2",
    "subnet": "ec2",
    "vpc": "ec2",
}


def mock_arn(provider, name: str) -> str:
    """The ARN the mocks give resource `name` served by `provider`."""
    module = type(provider).__module__.rsplit(".", 1)[-1]
    return f"arn:aws:{ARN_SERVICES.get(module, module.split('_')[0])}:mock:{name}"


def _provider(inputs: dict[str, Any]):
    raw = inputs["__provider"]
    # The engine keeps the pickled provider as a secret: {<secret signature>: ..., "value": ...}.
    return dill.loads(base64.b64decode(raw["value"] if isinstance(raw, dict) else raw))


class GraphMocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        outputs = dict(args.inputs)
        if is_dynamic(args.typ):
            provider = _provider(args.inputs)
            for key in provider.OUTPUTS:
                if outputs.get(key) is None:
                    outputs[key] = mock_arn(provider, args.name) if key == "arn" else f"{args.name}-{key}"
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        return {}


@dataclass
class Graph:
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    providers: dict[str, str] = field(default_factory=dict)
    parent_types: dict[str, str] = field(default_factory=dict)
    components: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> dict[str, Any]:
        return self.resources[name]

    def of(self, provider: str) -> dict[str, dict[str, Any]]:
        """The resources served by the provider class named `provider`, by name."""
        return {name: self.resources[name] for name, p in self.providers.items() if p == provider}


def build_graph(build: Callable[..., Any], *args: Any) -> Graph:
    """Run `build(*args)` (returning a FunctionComponent, or a mapping of them) under mocks."""
    monitor = MockMonitor(GraphMocks())
    pulumi.runtime.set_mocks(GraphMocks(), monitor=monitor, preview=False)
    graph = Graph()

    @pulumi.runtime.test
    def program():
        built = build(*args)
        outputs = built.outputs if hasattr(built, "outputs") else built
        return pulumi.Output.from_input(outputs).apply(graph.outputs.update)

    program()
    for urn, registration in monitor.get_registered_resources().items():
        qualified_type, name = urn.split("::")[2], urn.split("::")[3]
        if not is_dynamic(qualified_type):
            graph.components[name] = qualified_type.rsplit("$", 1)[-1]
            continue
        state = dict(registration.state)
        graph.providers[name] = type(_provider(state)).__name__
        state.pop("__provider")
        graph.resources[name] = state
        graph.parent_types[name] = qualified_type.rsplit("$", 1)[0]
    return graph


@pytest.fixture
def graph_of() -> Callable[..., Graph]:
    """`graph_of(build, *args)`: the resource graph a program builds under Pulumi mocks."""
    return build_graph


ACCOUNT = "111122223333"
REGION = "eu-west-1"
# The zones the account offers in REGION (resolved by stacks.zones before a real run).
ZONES = (f"{REGION}a", f"{REGION}b", f"{REGION}c")
VENDORS = {
    "aws": {"type": "cloud"},
    "nightwatch": {
        "type": "msp",
        "accountId": "210987654321",
        "externalIdRef": "env:NIGHTWATCH_EXTERNAL_ID",
        "contacts": ["noc@nightwatch.example"],
    },
    "claimsco": {
        "type": "bpo",
        "accountId": "444455556666",
        "externalIdRef": "env:CLAIMSCO_EXTERNAL_ID",
        "contacts": ["ops@claimsco.example"],
    },
}


def _make_plan(functions: dict[str, Any], *, budget: dict[str, Any] | None = None, name: str = "acme-prod"):
    from provision.schemas.model import build_plan

    spec: dict[str, Any] = {
        "environment": "prod",
        "region": REGION,
        "dataResidency": "eu",
        "compliance": ["gdpr"],
        "providers": VENDORS,
        "functions": functions,
    }
    if budget is not None:
        spec["budget"] = budget
    return build_plan(
        {
            "apiVersion": "provision/v1",
            "kind": "OutsourcingPlan",
            "metadata": {"name": name, "owner": "platform@acme.example"},
            "spec": spec,
        }
    )


@pytest.fixture
def make_plan() -> Callable[..., Any]:
    """`make_plan(functions, budget=None, name="acme-prod")`: a typed plan with VENDORS
    (aws: cloud; nightwatch: msp; claimsco: bpo) in `region`, owned by platform@acme.example."""
    return _make_plan


@pytest.fixture
def account_id() -> str:
    return ACCOUNT


@pytest.fixture
def region() -> str:
    return REGION


@pytest.fixture
def ctx_for() -> Callable[..., Any]:
    """`ctx_for(plan, function_name, peers={}, vendor_roles={})`: its FunctionContext in `account_id`, with ZONES."""
    from provision.stacks.functions.base import FunctionContext

    def make(plan, name: str, peers=None, vendor_roles=None):
        return FunctionContext(
            plan=plan, function=plan.functions[name], account_id=ACCOUNT, peers=peers or {}, vendor_roles=vendor_roles or {},
            zones=ZONES,
        )

    return make
