"""Each resource is first proved to exist: one probe per kind, asked before any other check.

Some AWS calls answer a missing resource with an empty list rather than an
error (DescribeAlarms, DescribeFlowLogs), and some keep answering for it
(tags of a deleted alarm): a property check alone can pass on a resource that
is gone. A probe says True when AWS holds the resource, False when it does
not; a "not found" error counts as False.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from botocore.exceptions import ClientError

from provision.stacks.providers.budget import BUDGETS_REGION
from provision.stacks.verify import declared
from provision.stacks.verify.model import LiveResource, Outcome, VerifyContext, check, fail, is_not_found

Probe = Callable[[LiveResource, VerifyContext], "bool | None"]

KMS_GONE_STATES = frozenset({"PendingDeletion", "PendingReplicaDeletion"})
NAT_GONE_STATES = frozenset({"deleting", "deleted", "failed"})


def _any(listed: list[Any]) -> bool:
    return bool(listed)


def _bucket(res: LiveResource, ctx: VerifyContext) -> bool:
    ctx.client("s3", res).head_bucket(Bucket=res.id)
    return True


def _key(res: LiveResource, ctx: VerifyContext) -> bool:
    meta = ctx.client("kms", res).describe_key(KeyId=res.arn)["KeyMetadata"]
    return meta["KeyState"] not in KMS_GONE_STATES


def _role(res: LiveResource, ctx: VerifyContext) -> bool:
    ctx.client("iam", res).get_role(RoleName=res.id)
    return True


def _topic(res: LiveResource, ctx: VerifyContext) -> bool:
    ctx.client("sns", res).get_topic_attributes(TopicArn=res.arn)
    return True


def _log_group(res: LiveResource, ctx: VerifyContext) -> bool:
    pages = ctx.client("logs", res).get_paginator("describe_log_groups").paginate(logGroupNamePrefix=res.id)
    return any(g["logGroupName"] == res.id for page in pages for g in page["logGroups"])


def _trail(res: LiveResource, ctx: VerifyContext) -> bool:
    ctx.client("cloudtrail", res).get_trail(Name=res.id)
    return True


def _detector(res: LiveResource, ctx: VerifyContext) -> bool:
    pages = ctx.client("guardduty", res).get_paginator("list_detectors").paginate()
    return any(res.id in page["DetectorIds"] for page in pages)


def _hub(res: LiveResource, ctx: VerifyContext) -> bool:
    ctx.client("securityhub", res).describe_hub(HubArn=res.id)
    return True


def _recorder(res: LiveResource, ctx: VerifyContext) -> bool:
    answer = ctx.client("config", res).describe_configuration_recorders(ConfigurationRecorderNames=[res.id])
    return _any(answer["ConfigurationRecorders"])


def _vault(res: LiveResource, ctx: VerifyContext) -> bool:
    ctx.client("backup", res).describe_backup_vault(BackupVaultName=res.id)
    return True


def _backup_plan(res: LiveResource, ctx: VerifyContext) -> bool:
    ctx.client("backup", res).get_backup_plan(BackupPlanId=res.id)
    return True


def _selection(res: LiveResource, ctx: VerifyContext) -> bool | None:
    plan_id = res.outputs.get("plan_id")
    if not plan_id:
        return None  # the state does not say which plan to ask
    ctx.client("backup", res).get_backup_selection(BackupPlanId=plan_id, SelectionId=res.id)
    return True


def _budget(res: LiveResource, ctx: VerifyContext) -> bool:
    account = res.outputs.get("account_id") or res.arn.split(":")[4]
    ctx.clients("budgets", BUDGETS_REGION).describe_budget(AccountId=account, BudgetName=res.id)
    return True


def _distribution(res: LiveResource, ctx: VerifyContext) -> bool:
    ctx.client("cloudfront", res).get_distribution(Id=res.id)
    return True


def _alarm(res: LiveResource, ctx: VerifyContext) -> bool:
    answer = ctx.client("cloudwatch", res).describe_alarms(AlarmNames=[res.id], AlarmTypes=["MetricAlarm"])
    return _any(answer["MetricAlarms"])


def _dashboard(res: LiveResource, ctx: VerifyContext) -> bool:
    ctx.client("cloudwatch", res).get_dashboard(DashboardName=res.id)
    return True


def _rule(res: LiveResource, ctx: VerifyContext) -> bool:
    name = res.outputs.get("name") or res.id.rsplit("/", 1)[-1]
    ctx.client("events", res).describe_rule(Name=name, EventBusName=res.outputs.get("event_bus_name") or "default")
    return True


def _answers(service: str, call: str, key: str, by: str = "id") -> Probe:
    """A probe for a call that AWS answers with a "not found" error once the resource is gone:
    `<call>(<key>=the resource's id)`, or its `arn` with by="arn"."""

    def probe(res: LiveResource, ctx: VerifyContext) -> bool:
        getattr(ctx.client(service, res), call)(**{key: getattr(res, by)})
        return True

    return probe


def _ec2(call: str, ids_key: str, listed: str) -> Probe:
    def probe(res: LiveResource, ctx: VerifyContext) -> bool:
        return _any(getattr(ctx.client("ec2", res), call)(**{ids_key: [res.id]})[listed])

    return probe


def _nat(res: LiveResource, ctx: VerifyContext) -> bool:
    answer = ctx.client("ec2", res).describe_nat_gateways(NatGatewayIds=[res.id])
    return any(n["State"] not in NAT_GONE_STATES for n in answer["NatGateways"])


def _server(res: LiveResource, ctx: VerifyContext) -> bool:
    ctx.client("transfer", res).describe_server(ServerId=res.id)
    return True


def _user(res: LiveResource, ctx: VerifyContext) -> bool:
    server_id, _, user_name = res.id.partition("/")
    ctx.client("transfer", res).describe_user(ServerId=server_id, UserName=user_name)
    return True


# Kind -> its probe (its provider's EXISTENCE_PROBE, naming one of the above or its own).
# Every kind provision makes (stacks.verify.inventory.KIND_MARKERS) has one.
PROBES: dict[str, Probe] = declared.refs("EXISTENCE_PROBE")
# Codes some services use for "not there" beyond the shared not-found codes (ALSO_GONE).
GONE_CODES = declared.gone_codes()


def exists(res: LiveResource, ctx: VerifyContext) -> bool | None:
    """Whether AWS holds `res`; None when its kind has no probe or the state lacks what the
    probe asks with. A "not found" answer is False;
    any other AWS error propagates (the check reports it as unreadable)."""
    probe = PROBES.get(res.kind)
    if probe is None:
        return None
    try:
        return probe(res, ctx)
    except ClientError as exc:
        if is_not_found(exc) or exc.response.get("Error", {}).get("Code") in GONE_CODES:
            return False
        raise


@check("exists")
def resource_exists(res: LiveResource, ctx: VerifyContext) -> Iterator[Outcome]:
    """AWS holds the resource the state records. A precondition of the other checks:
    reported only when it fails, and then they do not run."""
    if exists(res, ctx) is False:
        yield fail(f"{res.kind} {res.name} ({res.id}) not found in AWS: deleted outside provision?")
