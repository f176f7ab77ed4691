"""The network program: CIDR carving and its resource graph under Pulumi mocks."""

from __future__ import annotations

import dataclasses
import ipaddress
import json

import pytest

from provision.stacks.functions import network

COMPONENT = "provision:function:Network"
ACCOUNT = "111122223333"
REGION = "eu-west-1"


ZONES = (f"{REGION}a", f"{REGION}b", f"{REGION}c")


@pytest.fixture
def ctx(make_plan, ctx_for):
    def make(tier: str = "standard", zones=ZONES, **section):
        network_section = {"cidr": "10.20.0.0/16", **section}
        plan = make_plan({"net": {"type": "network", "provider": "aws", "tier": tier, "network": network_section}})
        return dataclasses.replace(ctx_for(plan, "net"), zones=tuple(zones))

    return make


@pytest.mark.parametrize(
    "cidr, azs, public, private",
    [
        ("10.0.0.0/16", 2, ["10.0.0.0/18", "10.0.64.0/18"], ["10.0.128.0/18", "10.0.192.0/18"]),
        ("10.0.0.0/16", 3, ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"], ["10.0.96.0/19", "10.0.128.0/19", "10.0.160.0/19"]),
        ("192.168.4.0/24", 1, ["192.168.4.0/25"], ["192.168.4.128/25"]),
    ],
)
def test_carve_splits_the_vpc_into_equal_public_and_private_blocks(cidr, azs, public, private) -> None:
    assert network.carve(cidr, azs) == (public, private)


@pytest.mark.parametrize("cidr", ["10.0.0.0/16", "10.1.0.0/20", "172.16.0.0/24"])
@pytest.mark.parametrize("azs", range(1, 7))
def test_carved_blocks_never_overlap_and_stay_inside_the_vpc(cidr: str, azs: int) -> None:
    public, private = network.carve(cidr, azs)
    blocks = [ipaddress.ip_network(b) for b in public + private]

    assert len(blocks) == 2 * azs
    assert all(b.subnet_of(ipaddress.ip_network(cidr)) and b.prefixlen <= 28 for b in blocks)
    assert not any(a.overlaps(b) for i, a in enumerate(blocks) for b in blocks[i + 1 :])


def test_carve_refuses_subnets_smaller_than_aws_allows() -> None:
    with pytest.raises(ValueError, match=r"^10.0.0.0/27 is too small for 4 subnets of at least /28$"):
        network.carve("10.0.0.0/27", 2)


def test_graph_without_nat(graph_of, ctx) -> None:
    graph = graph_of(network.build, ctx(azs=3))

    assert graph["net-vpc"]["cidr_block"] == "10.20.0.0/16"
    subnets = graph.of("SubnetProvider")
    assert sorted(subnets) == sorted(f"net-{t}-{z}" for t in ("public", "private") for z in "abc")
    assert graph["net-public-b"]["availability_zone"] == f"{REGION}b"
    assert graph["net-public-b"]["cidr_block"] == "10.20.32.0/19"
    assert graph["net-private-b"]["cidr_block"] == "10.20.128.0/19"
    assert all(s["vpc_id"] == "net-vpc-vpc_id" and s["map_public_ip_on_launch"] is False for s in subnets.values())

    assert graph["net-igw"]["vpc_id"] == "net-vpc-vpc_id"
    public_rt, private_rt = graph["net-public-rt"], graph["net-private-rt"]
    assert public_rt["routes"] == [{"destination_cidr_block": "0.0.0.0/0", "gateway_id": "net-igw-internet_gateway_id"}]
    assert public_rt["subnet_ids"] == [f"net-public-{z}-subnet_id" for z in "abc"]
    assert private_rt["routes"] == []
    assert private_rt["subnet_ids"] == [f"net-private-{z}-subnet_id" for z in "abc"]
    assert graph.of("NatGatewayProvider") == {}
    assert graph.outputs["nat_gateway_ids"] == []
    assert graph.outputs["vpc_id"] == "net-vpc-vpc_id"
    assert graph.outputs["private_subnet_ids"] == [f"net-private-{z}-subnet_id" for z in "abc"]


def test_a_standard_function_shares_one_nat_gateway(graph_of, ctx) -> None:
    graph = graph_of(network.build, ctx(nat=True))

    assert list(graph.of("NatGatewayProvider")) == ["net-nat-a"]
    assert graph["net-nat-a"]["subnet_id"] == "net-public-a-subnet_id"
    route_tables = graph.of("RouteTableProvider")
    assert sorted(route_tables) == ["net-private-rt", "net-public-rt"]
    assert route_tables["net-private-rt"]["routes"] == [
        {"destination_cidr_block": "0.0.0.0/0", "nat_gateway_id": "net-nat-a-nat_gateway_id"}
    ]
    assert route_tables["net-private-rt"]["subnet_ids"] == ["net-private-a-subnet_id", "net-private-b-subnet_id"]
    assert graph.outputs["nat_gateway_ids"] == ["net-nat-a-nat_gateway_id"]


def test_a_critical_function_gets_a_nat_gateway_per_az(graph_of, ctx) -> None:
    graph = graph_of(network.build, ctx(tier="critical", nat=True))

    assert sorted(graph.of("NatGatewayProvider")) == ["net-nat-a", "net-nat-b"]
    for zone in "ab":
        table = graph[f"net-private-rt-{zone}"]
        assert table["routes"] == [{"destination_cidr_block": "0.0.0.0/0", "nat_gateway_id": f"net-nat-{zone}-nat_gateway_id"}]
        assert table["subnet_ids"] == [f"net-private-{zone}-subnet_id"]
        assert graph[f"net-nat-{zone}"]["subnet_id"] == f"net-public-{zone}-subnet_id"


def test_flow_logs_go_to_an_encrypted_log_group_with_the_plan_retention(graph_of, ctx) -> None:
    graph = graph_of(network.build, ctx(flowLogRetentionDays=365))
    name = "/provision/acme-prod/prod/net/flow-logs"
    group_arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}"

    log_group = graph["net-flow-logs"]
    assert (log_group["log_group_name"], log_group["retention_in_days"]) == (name, 365)
    assert log_group["kms_key_arn"] == "arn:aws:kms:mock:net-flow-logs-key"
    flow = graph["net-flow-log"]
    assert (flow["vpc_id"], flow["traffic_type"], flow["log_group_name"]) == ("net-vpc-vpc_id", "ALL", "net-flow-logs-id")
    assert flow["deliver_logs_permission_arn"] == "arn:aws:iam:mock:net-flow-logs-role"

    key_policy = json.loads(graph["net-flow-logs-key"]["key_policy"])
    logs_statement = next(s for s in key_policy["Statement"] if s["Sid"] == "LogsEncryptThisLogGroup")
    assert logs_statement["Principal"] == {"Service": f"logs.{REGION}.amazonaws.com"}
    assert logs_statement["Condition"] == {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": group_arn}}

    role = graph["net-flow-logs-role"]
    trust = json.loads(role["assume_role_policy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    delivery = json.loads(role["inline_policies"]["deliver"])["Statement"][0]
    assert delivery["Resource"] == [group_arn, f"{group_arn}:log-stream:*"]


def test_default_flow_log_retention_is_90_days(graph_of, ctx) -> None:
    assert graph_of(network.build, ctx())["net-flow-logs"]["retention_in_days"] == 90


def test_every_resource_is_a_tagged_child_of_the_network_component(graph_of, ctx) -> None:
    graph = graph_of(network.build, ctx(nat=True))

    assert graph.components == {"net": COMPONENT}
    for name, resource in graph.resources.items():
        assert graph.parent_types[name] == COMPONENT, name
        tags = resource["tags"]
        assert tags["provision:plan"] == "acme-prod", name
        assert (tags["provision:function"], tags["provision:provider"], tags["provision:environment"]) == ("net", "aws", "prod")
    assert graph["net-public-a"]["tags"]["provision:tier"] == "public"


def test_subnets_and_nat_gateways_take_the_zones_the_account_offers(graph_of, ctx) -> None:
    # ca-central-1 has no zone c: the zones come from the account, never from "a, b, c".
    graph = graph_of(network.build, ctx(tier="critical", nat=True, azs=3,
                                        zones=("ca-central-1a", "ca-central-1b", "ca-central-1d")))

    subnets = graph.of("SubnetProvider")
    assert {name: s["availability_zone"] for name, s in subnets.items() if "public" in name} == {
        "net-public-a": "ca-central-1a", "net-public-b": "ca-central-1b", "net-public-d": "ca-central-1d"}
    assert sorted(graph.of("NatGatewayProvider")) == ["net-nat-a", "net-nat-b", "net-nat-d"]
    assert graph["net-nat-d"]["subnet_id"] == "net-public-d-subnet_id"
    assert graph["net-private-rt-d"]["subnet_ids"] == ["net-private-d-subnet_id"]


def test_a_function_needing_more_zones_than_resolved_stops_with_a_clear_error(ctx) -> None:
    with pytest.raises(ValueError, match=r"^network function 'net' needs 3 availability zones of eu-west-1, "
                                         r"and 2 were resolved: eu-west-1a, eu-west-1b$"):
        network.availability_zones(ctx(azs=3, zones=ZONES[:2]), 3)


def test_nat_gateways_depend_on_the_internet_gateway(graph_of, ctx, monkeypatch: pytest.MonkeyPatch) -> None:
    # A public NAT needs the IGW attached (create), and the IGW cannot be detached while NATs use it
    # (destroy: DependencyViolation); the engine orders both only from a declared dependency.
    from pulumi.runtime.mocks import MockMonitor

    dependencies: dict[str, list[str]] = {}
    register = MockMonitor.RegisterResource

    def recording(self, request):
        dependencies[request.name] = list(request.dependencies)
        return register(self, request)

    monkeypatch.setattr(MockMonitor, "RegisterResource", recording)
    graph_of(network.build, ctx(tier="critical", nat=True, azs=2))

    igw = [urn for urn in dependencies["net-igw"] if urn.endswith("::net-vpc")]  # the igw's own input
    assert igw, dependencies["net-igw"]
    for nat in ("net-nat-a", "net-nat-b"):
        assert any(urn.endswith("::net-igw") for urn in dependencies[nat]), dependencies[nat]
