"""What a plan has live in the sandbox, found with each service's own list calls.

Independent of provision's state and of the tagging API (which lists neither
IAM roles, GuardDuty, CloudTrail, Security Hub, Config, Budgets, Transfer,
EventBridge rules nor dashboards): every kind provision makes is listed per
service and region, and kept when its tags say `provision:plan=<plan>`, or,
for kinds without tags, when its name starts with the plan's name.

Gone is gone the way AWS shows it: KMS keys pending deletion, NAT gateways
deleted or deleting and released addresses are not live.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from botocore.exceptions import ClientError

TAG_PLAN, TAG_FUNCTION = "provision:plan", "provision:function"
GLOBAL_REGION = "us-east-1"  # where IAM, CloudFront and Budgets answer

MakeClient = Callable[[str, str], Any]


@dataclass(frozen=True)
class Item:
    kind: str  # e.g. "s3:bucket", "iam:role"
    id: str  # what the service calls it: a name, an id or an ARN
    region: str
    arn: str = ""
    tags: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    name: str = ""  # when `id` is not the name: what untagged kinds are recognised by

    @property
    def function(self) -> str | None:
        return self.tags.get(TAG_FUNCTION)


def _tags(pairs: Any, key: str = "Key", value: str = "Value") -> dict[str, str]:
    if isinstance(pairs, dict):
        return dict(pairs)
    return {p[key]: p[value] for p in pairs or []}


def _quiet(call: Callable[[], Any], default: Any = None) -> Any:
    """A tag or detail read on a resource that may vanish between list and read."""
    try:
        return call()
    except ClientError:
        return default


class Inventory:
    """`Inventory(make_client).sweep(plan, regions)`: every live Item of `plan`."""

    def __init__(self, make_client: MakeClient):
        self.make_client = make_client
        self.clients: dict[tuple[str, str], Any] = {}

    def client(self, service: str, region: str) -> Any:
        # Making a boto3 client costs more than a list call against the sandbox.
        if (service, region) not in self.clients:
            self.clients[service, region] = self.make_client(service, region)
        return self.clients[service, region]

    def sweep(self, plan: str, regions: set[str] | list[str]) -> list[Item]:
        self.plan = plan
        self.blind: list[str] = []  # list calls that failed: what the sweep could not see
        items = [i for i in self._global() if self._ours(i)]
        for region in sorted(set(regions) | {GLOBAL_REGION}):
            items += [i for i in self._regional(region) if self._ours(i)]
        return sorted(items, key=lambda i: (i.kind, i.region, i.id))

    def _ours(self, item: Item) -> bool:
        if TAG_PLAN in item.tags:
            return item.tags[TAG_PLAN] == self.plan
        name = item.name or item.id
        return name.startswith(f"{self.plan}-") or name == self.plan

    # -- global services ----------------------------------------------------------------------

    def _global(self) -> Iterator[Item]:
        yield from self._s3()
        yield from self._iam()
        yield from self._cloudfront()
        yield from self._budgets()

    def _s3(self) -> Iterator[Item]:
        s3 = self.client("s3", GLOBAL_REGION)
        for bucket in s3.list_buckets()["Buckets"]:
            name = bucket["Name"]
            tags = _quiet(lambda: s3.get_bucket_tagging(Bucket=name)["TagSet"], [])
            where = _quiet(lambda: s3.get_bucket_location(Bucket=name)["LocationConstraint"]) or GLOBAL_REGION
            yield Item("s3:bucket", name, where, f"arn:aws:s3:::{name}", _tags(tags))

    def _iam(self) -> Iterator[Item]:
        iam = self.client("iam", GLOBAL_REGION)
        for page in iam.get_paginator("list_roles").paginate():
            for role in page["Roles"]:
                name = role["RoleName"]
                tags = _quiet(lambda: iam.list_role_tags(RoleName=name)["Tags"], [])
                yield Item("iam:role", name, "global", role["Arn"], _tags(tags))
        for page in iam.get_paginator("list_policies").paginate(Scope="Local"):
            for policy in page["Policies"]:
                tags = _quiet(lambda: iam.list_policy_tags(PolicyArn=policy["Arn"])["Tags"], [])
                yield Item("iam:policy", policy["PolicyName"], "global", policy["Arn"], _tags(tags))

    def _cloudfront(self) -> Iterator[Item]:
        cf = self.client("cloudfront", GLOBAL_REGION)
        for dist in cf.list_distributions()["DistributionList"].get("Items", []):
            tags = _quiet(lambda: cf.list_tags_for_resource(Resource=dist["ARN"])["Tags"].get("Items"), [])
            yield Item("cloudfront:distribution", dist["Id"], "global", dist["ARN"], _tags(tags))
        for oac in cf.list_origin_access_controls()["OriginAccessControlList"].get("Items", []):
            yield Item("cloudfront:origin-access-control", oac["Name"], "global", oac["Id"])

    def _budgets(self) -> Iterator[Item]:
        account = self.client("sts", GLOBAL_REGION).get_caller_identity()["Account"]
        budgets = self.client("budgets", GLOBAL_REGION)
        for budget in budgets.describe_budgets(AccountId=account).get("Budgets", []):
            name = budget["BudgetName"]
            arn = f"arn:aws:budgets::{account}:budget/{name}"
            tags = _quiet(lambda: budgets.list_tags_for_resource(ResourceARN=arn)["ResourceTags"], [])
            yield Item("budgets:budget", name, "global", arn, _tags(tags))

    # -- regional services --------------------------------------------------------------------

    def _regional(self, region: str) -> Iterator[Item]:
        for lister in (self._kms, self._sns, self._cloudtrail, self._guardduty, self._securityhub, self._config,
                       self._backup, self._cloudwatch, self._logs, self._events, self._ec2, self._transfer):  # fmt: skip
            yield from lister(region)

    def _kms(self, region: str) -> Iterator[Item]:
        kms = self.client("kms", region)
        live = set()
        for key in kms.list_keys()["Keys"]:
            meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
            if meta["KeyState"] == "PendingDeletion":
                continue
            live.add(key["KeyId"])
            tags = kms.list_resource_tags(KeyId=key["KeyId"])["Tags"]
            yield Item("kms:key", key["KeyId"], region, meta["Arn"], _tags(tags, "TagKey", "TagValue"))
        for alias in kms.list_aliases()["Aliases"]:
            if alias.get("TargetKeyId") in live and not alias["AliasName"].startswith("alias/aws/"):
                yield Item("kms:alias", alias["AliasName"], region, alias["AliasArn"], name=alias["AliasName"].removeprefix("alias/"))

    def _sns(self, region: str) -> Iterator[Item]:
        sns = self.client("sns", region)
        for topic in sns.list_topics()["Topics"]:
            arn = topic["TopicArn"]
            tags = sns.list_tags_for_resource(ResourceArn=arn)["Tags"]
            yield Item("sns:topic", arn.rsplit(":", 1)[-1], region, arn, _tags(tags))

    def _cloudtrail(self, region: str) -> Iterator[Item]:
        trail_api = self.client("cloudtrail", region)
        for trail in trail_api.describe_trails(includeShadowTrails=False)["trailList"]:
            arn = trail["TrailARN"]
            tags = _quiet(lambda: trail_api.list_tags(ResourceIdList=[arn])["ResourceTagList"][0]["TagsList"], [])
            yield Item("cloudtrail:trail", trail["Name"], region, arn, _tags(tags))

    def _guardduty(self, region: str) -> Iterator[Item]:
        guardduty = self.client("guardduty", region)
        for detector_id in guardduty.list_detectors()["DetectorIds"]:
            detector = guardduty.get_detector(DetectorId=detector_id)
            yield Item("guardduty:detector", detector_id, region, "", _tags(detector.get("Tags")))

    def _securityhub(self, region: str) -> Iterator[Item]:
        hub = self.client("securityhub", region)
        arn = _quiet(lambda: hub.describe_hub()["HubArn"])
        if arn:
            tags = _quiet(lambda: hub.list_tags_for_resource(ResourceArn=arn)["Tags"], {})
            yield Item("securityhub:hub", arn, region, arn, _tags(tags))

    def _config(self, region: str) -> Iterator[Item]:
        config = self.client("config", region)
        for recorder in config.describe_configuration_recorders()["ConfigurationRecorders"]:
            yield Item("config:recorder", recorder["name"], region)
        for channel in config.describe_delivery_channels()["DeliveryChannels"]:
            yield Item("config:delivery-channel", channel["name"], region)

    def _backup(self, region: str) -> Iterator[Item]:
        backup = self.client("backup", region)
        for vault in backup.list_backup_vaults()["BackupVaultList"]:
            arn = vault["BackupVaultArn"]
            tags = _quiet(lambda: backup.list_tags(ResourceArn=arn)["Tags"], {})
            yield Item("backup:vault", vault["BackupVaultName"], region, arn, _tags(tags))
        for plan in backup.list_backup_plans()["BackupPlansList"]:
            arn = plan["BackupPlanArn"]
            tags = _quiet(lambda: backup.list_tags(ResourceArn=arn)["Tags"], {})
            item = Item("backup:plan", plan["BackupPlanId"], region, arn, _tags(tags), plan["BackupPlanName"])
            yield item
            selections = backup.list_backup_selections(BackupPlanId=plan["BackupPlanId"])["BackupSelectionsList"]
            for selection in selections:
                # Selections take no tags: they belong to their plan.
                yield Item("backup:selection", selection["SelectionId"], region, "", dict(item.tags), selection["SelectionName"])

    def _cloudwatch(self, region: str) -> Iterator[Item]:
        cloudwatch = self.client("cloudwatch", region)
        for page in cloudwatch.get_paginator("describe_alarms").paginate():
            for alarm in page["MetricAlarms"] + page.get("CompositeAlarms", []):
                arn = alarm["AlarmArn"]
                tags = cloudwatch.list_tags_for_resource(ResourceARN=arn)["Tags"]
                yield Item("cloudwatch:alarm", alarm["AlarmName"], region, arn, _tags(tags))
        for board in cloudwatch.list_dashboards()["DashboardEntries"]:
            yield Item("cloudwatch:dashboard", board["DashboardName"], region, board["DashboardArn"])

    def _logs(self, region: str) -> Iterator[Item]:
        logs = self.client("logs", region)
        for page in logs.get_paginator("describe_log_groups").paginate():
            for group in page["logGroups"]:
                name = group["logGroupName"]
                tags = _quiet(lambda: logs.list_tags_log_group(logGroupName=name)["tags"], {})
                yield Item("logs:log-group", name, region, group["arn"].removesuffix(":*"), _tags(tags))

    def _events(self, region: str) -> Iterator[Item]:
        events = self.client("events", region)
        for rule in events.list_rules()["Rules"]:
            tags = _quiet(lambda: events.list_tags_for_resource(ResourceARN=rule["Arn"])["Tags"], [])
            yield Item("events:rule", rule["Name"], region, rule["Arn"], _tags(tags))

    def _ec2(self, region: str) -> Iterator[Item]:
        ec2 = self.client("ec2", region)
        for vpc in ec2.describe_vpcs()["Vpcs"]:
            yield Item("ec2:vpc", vpc["VpcId"], region, "", _tags(vpc.get("Tags")))
        for subnet in ec2.describe_subnets()["Subnets"]:
            yield Item("ec2:subnet", subnet["SubnetId"], region, subnet.get("SubnetArn", ""), _tags(subnet.get("Tags")))
        for table in ec2.describe_route_tables()["RouteTables"]:
            yield Item("ec2:route-table", table["RouteTableId"], region, "", _tags(table.get("Tags")))
        for igw in ec2.describe_internet_gateways()["InternetGateways"]:
            yield Item("ec2:internet-gateway", igw["InternetGatewayId"], region, "", _tags(igw.get("Tags")))
        for nat in ec2.describe_nat_gateways()["NatGateways"]:
            if nat["State"] not in ("deleting", "deleted"):
                yield Item("ec2:nat-gateway", nat["NatGatewayId"], region, "", _tags(nat.get("Tags")))
        for address in ec2.describe_addresses()["Addresses"]:
            yield Item("ec2:address", address["AllocationId"], region, "", _tags(address.get("Tags")))
        for flow_log in ec2.describe_flow_logs()["FlowLogs"]:
            yield Item("ec2:flow-log", flow_log["FlowLogId"], region, "", _tags(flow_log.get("Tags")))

    def _transfer(self, region: str) -> Iterator[Item]:
        transfer = self.client("transfer", region)
        for server in transfer.list_servers()["Servers"]:
            server_id = server["ServerId"]
            described = transfer.describe_server(ServerId=server_id)["Server"]
            tags = _tags(described.get("Tags"))
            yield Item("transfer:server", server_id, region, server["Arn"], tags)
            try:
                users = [u for page in transfer.get_paginator("list_users").paginate(ServerId=server_id) for u in page["Users"]]
            except ClientError as error:  # say what could not be seen: a blind spot fails the run
                self.blind.append(f"transfer ListUsers {server_id} ({region}): {error.response['Error'].get('Code')}")
                users = []
            for user in users:
                detail = transfer.describe_user(ServerId=server_id, UserName=user["UserName"])["User"]
                yield Item("transfer:user", f"{server_id}/{user['UserName']}", region, user["Arn"],
                           _tags(detail.get("Tags")) or tags)  # fmt: skip
