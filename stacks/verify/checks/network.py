"""Networks: the VPC flow logs are kept as long as the plan says."""

from __future__ import annotations

from typing import Iterator

from provision.stacks.verify.model import LiveResource, Outcome, VerifyContext, check, fail, ok


@check("network.flow-log-retention")
def flow_log_retention(res: LiveResource, ctx: VerifyContext) -> Iterator[Outcome]:
    """The flow log delivers to a log group that keeps events flowLogRetentionDays."""
    from provision.stacks.functions.network import DEFAULT_FLOW_LOG_RETENTION_DAYS

    function = ctx.plan.functions.get(res.function or "")
    if function is None or function.type != "network":
        return
    wanted = int(function.settings.get("flowLogRetentionDays", DEFAULT_FLOW_LOG_RETENTION_DAYS))
    logs = ctx.client("ec2", res).describe_flow_logs(FlowLogIds=[res.id]).get("FlowLogs", [])
    group = logs[0].get("LogGroupName") if logs else None
    if not group:
        yield fail("the flow log delivers to no CloudWatch log group")
        return
    found = ctx.client("logs", res).describe_log_groups(logGroupNamePrefix=group).get("logGroups", [])
    kept = next((g.get("retentionInDays") for g in found if g.get("logGroupName") == group), "missing")
    if kept == "missing":
        yield fail(f"its log group {group} does not exist")
    elif kept is None:
        yield fail(f"log group {group} keeps events forever, the plan says {wanted} days")
    elif kept != wanted:
        yield fail(f"log group {group} keeps events {kept} days, the plan says {wanted}")
    else:
        yield ok(f"log group {group} keeps events {kept} days")
