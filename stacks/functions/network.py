"""The network function: a VPC across availability zones, with flow logs.

From the function's `network` section:
- the VPC gets `cidr`; it is carved into one public and one private subnet
  per AZ (`azs`, default 2), all the same size, in the first `azs` zones the
  account offers in the region (stacks.zones);
- public subnets route to an internet gateway; private subnets reach the
  internet only through NAT when `nat: true` (one gateway per AZ for a
  critical function, one shared gateway otherwise, which is cheaper but ties
  every AZ's egress to one AZ);
- every flow (ALL traffic) is logged to a CloudWatch log group encrypted
  with its own KMS key and kept `flowLogRetentionDays` (default 90) days.
"""

from __future__ import annotations

import ipaddress
import json
import math
from typing import Sequence

import pulumi

from provision.schemas.regions import requested_zones
from provision.stacks.functions.base import FunctionComponent, FunctionContext
from provision.stacks.functions.service_roles import service_trust_policy
from provision.stacks.providers.flow_log import FlowLog
from provision.stacks.providers.iam_role import IamRole
from provision.stacks.providers.internet_gateway import InternetGateway
from provision.stacks.providers.kms_key import KmsKey
from provision.stacks.providers.log_group import LogGroup
from provision.stacks.providers.nat_gateway import NatGateway
from provision.stacks.providers.route_table import RouteTable
from provision.stacks.providers.subnet import Subnet
from provision.stacks.providers.vpc import Vpc

DEFAULT_FLOW_LOG_RETENTION_DAYS = 90
# AWS's smallest subnet.
MIN_SUBNET_PREFIX = 28


def carve(cidr: str, azs: int) -> tuple[list[str], list[str]]:
    """(public, private) subnet CIDRs: the VPC CIDR split into 2 x `azs` equal blocks."""
    network = ipaddress.ip_network(cidr)
    extra_bits = math.ceil(math.log2(2 * azs))
    prefix = network.prefixlen + extra_bits
    if prefix > MIN_SUBNET_PREFIX:
        raise ValueError(f"{cidr} is too small for {2 * azs} subnets of at least /{MIN_SUBNET_PREFIX}")
    blocks = [str(block) for block in network.subnets(new_prefix=prefix)]
    return blocks[:azs], blocks[azs : 2 * azs]


def availability_zones(ctx: FunctionContext, count: int) -> list[str]:
    """The first `count` zones the account offers (ctx.zones, resolved before the engine ran)."""
    if len(ctx.zones) < count:
        raise ValueError(
            f"network function '{ctx.function.name}' needs {count} availability zones of {ctx.region}, "
            f"and {len(ctx.zones)} were resolved: {', '.join(ctx.zones) or 'none'}"
        )
    return list(ctx.zones[:count])


def flow_log_group_name(ctx: FunctionContext) -> str:
    return f"/provision/{ctx.plan.name}/{ctx.plan.environment}/{ctx.function.name}/flow-logs"


def _log_group_arn(ctx: FunctionContext, name: str) -> str:
    return f"arn:{ctx.partition}:logs:{ctx.region}:{ctx.account_id}:log-group:{name}"


def flow_log_key_policy(ctx: FunctionContext, log_group_name: str) -> str:
    """The account administers the key; CloudWatch Logs may use it for this log group only."""
    account, region = ctx.account_id, ctx.region
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AccountAdministers",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:{ctx.partition}:iam::{account}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "LogsEncryptThisLogGroup",
                    "Effect": "Allow",
                    "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                    "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                    "Resource": "*",
                    "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": _log_group_arn(ctx, log_group_name)}},
                },
            ],
        },
        sort_keys=True,
    )


def flow_log_delivery_policy(log_group_arn: str) -> str:
    """Write access to the one log group, nothing else."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    "Resource": [log_group_arn, f"{log_group_arn}:log-stream:*"],
                },
                {"Effect": "Allow", "Action": "logs:DescribeLogGroups", "Resource": "*"},
            ],
        },
        sort_keys=True,
    )


def build(ctx: FunctionContext) -> FunctionComponent:
    settings = ctx.function.settings
    azs = requested_zones(ctx.function)
    public_cidrs, private_cidrs = carve(settings["cidr"], azs)
    zones = availability_zones(ctx, azs)
    fn = ctx.function.name

    component = FunctionComponent(ctx.function)
    opts = ctx.resource_opts(component)

    vpc = Vpc(f"{fn}-vpc", cidr_block=settings["cidr"], tags=ctx.tags(Name=ctx.physical_name("vpc", kind="name-tag")), opts=opts)
    igw = InternetGateway(f"{fn}-igw", vpc_id=vpc.vpc_id, tags=ctx.tags(Name=ctx.physical_name("igw", kind="name-tag")), opts=opts)

    public = [_subnet(ctx, "public", i, vpc, cidr, zone, opts) for i, (cidr, zone) in enumerate(zip(public_cidrs, zones))]
    private = [_subnet(ctx, "private", i, vpc, cidr, zone, opts) for i, (cidr, zone) in enumerate(zip(private_cidrs, zones))]

    RouteTable(
        f"{fn}-public-rt",
        vpc_id=vpc.vpc_id,
        routes=[{"destination_cidr_block": "0.0.0.0/0", "gateway_id": igw.internet_gateway_id}],
        subnet_ids=[s.subnet_id for s in public],
        tags=ctx.tags(Name=ctx.physical_name("public", kind="name-tag")),
        opts=opts,
    )
    nats = _private_routing(ctx, vpc, igw, public, private, zones, opts) if settings.get("nat", False) else []
    if not nats:
        RouteTable(
            f"{fn}-private-rt",
            vpc_id=vpc.vpc_id,
            subnet_ids=[s.subnet_id for s in private],
            tags=ctx.tags(Name=ctx.physical_name("private", kind="name-tag")),
            opts=opts,
        )

    log_group = _flow_logs(ctx, vpc, int(settings.get("flowLogRetentionDays", DEFAULT_FLOW_LOG_RETENTION_DAYS)), opts)

    return component.finish(
        vpc_id=vpc.vpc_id,
        vpc_arn=vpc.arn,
        public_subnet_ids=[s.subnet_id for s in public],
        private_subnet_ids=[s.subnet_id for s in private],
        nat_gateway_ids=[n.nat_gateway_id for n in nats],
        flow_log_group=log_group.id,
    )


def _subnet(
    ctx: FunctionContext, tier: str, index: int, vpc: Vpc, cidr: str, zone: str, opts: pulumi.ResourceOptions
) -> Subnet:
    return Subnet(
        f"{ctx.function.name}-{tier}-{zone[-1]}",
        vpc_id=vpc.vpc_id,
        cidr_block=cidr,
        availability_zone=zone,
        # Even in public subnets nothing gets a public address unless it asks for one.
        map_public_ip_on_launch=False,
        tags=ctx.tags(Name=ctx.physical_name(f"{tier}-{zone[-1]}", kind="name-tag"), **{"provision:tier": tier}),
        opts=opts,
    )


def _private_routing(
    ctx: FunctionContext,
    vpc: Vpc,
    igw: InternetGateway,
    public: Sequence[Subnet],
    private: Sequence[Subnet],
    zones: Sequence[str],
    opts: pulumi.ResourceOptions,
) -> list[NatGateway]:
    """NAT gateways in public subnets and the private route tables that use them, named by zone letter."""
    fn = ctx.function.name
    # A public NAT needs the VPC's internet gateway attached: made after it, deleted
    # before it (AWS refuses to detach a gateway that NATs still use: DependencyViolation).
    nat_opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[igw]))
    per_az = ctx.function.tier == "critical"
    nats = []
    for i, subnet in enumerate(public if per_az else public[:1]):
        letter = zones[i][-1]
        nats.append(
            NatGateway(
                f"{fn}-nat-{letter}",
                subnet_id=subnet.subnet_id,
                tags=ctx.tags(Name=ctx.physical_name(f"nat-{letter}", kind="name-tag")),
                opts=nat_opts,
            )
        )
    groups: list[tuple[str, NatGateway, Sequence[Subnet]]]
    if per_az:
        groups = [(zones[i][-1], nat, [private[i]]) for i, nat in enumerate(nats)]
    else:
        groups = [("", nats[0], private)]
    for letter, nat, subnets in groups:
        suffix = f"-{letter}" if letter else ""
        RouteTable(
            f"{fn}-private-rt{suffix}",
            vpc_id=vpc.vpc_id,
            routes=[{"destination_cidr_block": "0.0.0.0/0", "nat_gateway_id": nat.nat_gateway_id}],
            subnet_ids=[s.subnet_id for s in subnets],
            tags=ctx.tags(Name=ctx.physical_name(f"private{suffix}", kind="name-tag")),
            opts=opts,
        )
    return nats


def _flow_logs(ctx: FunctionContext, vpc: Vpc, retention_days: int, opts: pulumi.ResourceOptions) -> LogGroup:
    fn, tags = ctx.function.name, ctx.tags()
    name = flow_log_group_name(ctx)
    key = KmsKey(
        f"{fn}-flow-logs-key",
        description=f"Flow logs of {ctx.plan.name}/{fn}",
        key_policy=flow_log_key_policy(ctx, name),
        alias=f"alias/{ctx.physical_name('flow-logs', kind='kms-alias')}",
        tags=tags,
        opts=opts,
    )
    log_group = LogGroup(
        f"{fn}-flow-logs",
        log_group_name=name,
        retention_in_days=retention_days,
        kms_key_arn=key.arn,
        tags=tags,
        opts=opts,
    )
    role = IamRole(
        f"{fn}-flow-logs-role",
        role_name=ctx.physical_name("flow-logs", kind="iam-role"),
        assume_role_policy=service_trust_policy("vpc-flow-logs.amazonaws.com", ctx.account_id),
        description=f"Delivers VPC flow logs of {ctx.plan.name}/{fn} to CloudWatch Logs",
        inline_policies={"deliver": flow_log_delivery_policy(_log_group_arn(ctx, name))},
        tags=tags,
        opts=opts,
    )
    FlowLog(
        f"{fn}-flow-log",
        vpc_id=vpc.vpc_id,
        traffic_type="ALL",
        log_group_name=log_group.id,
        deliver_logs_permission_arn=role.arn,
        tags=tags,
        opts=opts,
    )
    return log_group
