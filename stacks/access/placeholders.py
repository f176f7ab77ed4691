"""Function outputs offline: ARN-shaped named placeholders for ids known only after apply.

The policy builders read a function's component outputs (see
stacks.functions.iam_policies). Before apply they do not exist, so each is
stood in for by a value of the same shape whose unknown part is named
`{function.thing}`; the account is `{account}`.
"""

from __future__ import annotations

from typing import Any

from provision.schemas.model import Function, Plan
from provision.stacks.functions.data_exchange_policies import partner_prefix

ACCOUNT = "{account}"


def _ph(function: Function, thing: str) -> str:
    return "{%s.%s}" % (function.name, thing)


def partners(function: Function) -> list[str]:
    """A data exchange's partners (by default its provider), as stacks.functions.data_exchange has them."""
    return sorted(function.settings.get("partners") or [function.provider])


def outputs_for(plan: Plan, function: Function, account: str = ACCOUNT) -> dict[str, Any]:
    """The outputs `function`'s component will have, as placeholders."""
    region, fn, s = plan.region, function, function.settings
    key = f"arn:aws:kms:{region}:{account}:key/{_ph(fn, 'key')}"
    if fn.type == "hosting":
        return {"bucket_arn": f"arn:aws:s3:::{_ph(fn, 'bucket')}", "kms_key_arn": key,
                "distribution_arn": f"arn:aws:cloudfront::{account}:distribution/{_ph(fn, 'distribution')}"}  # fmt: skip
    if fn.type == "backup":
        out = {"vault_arn": f"arn:aws:backup:{region}:{account}:backup-vault:{_ph(fn, 'vault')}",
               "plan_arn": f"arn:aws:backup:{region}:{account}:backup-plan:{_ph(fn, 'plan')}",
               "backup_role_arn": f"arn:aws:iam::{account}:role/{_ph(fn, 'backup-role')}", "kms_key_arn": key}  # fmt: skip
        if s.get("copyToRegion"):
            out["copy_vault_arn"] = f"arn:aws:backup:{s['copyToRegion']}:{account}:backup-vault:{_ph(fn, 'copy-vault')}"
        return out
    if fn.type == "security-monitoring":
        services = set(s.get("services", ()))
        out = {"kms_key_arn": key, "alerts_topic_arn": f"arn:aws:sns:{region}:{account}:{_ph(fn, 'alerts')}"}
        if "cloudtrail" in services:
            out.update(trail_arn=f"arn:aws:cloudtrail:{region}:{account}:trail/{_ph(fn, 'trail')}",
                       trail_bucket=_ph(fn, "trail-bucket"))  # fmt: skip
        if services & {"guardduty", "config"}:
            out["logs_bucket"] = _ph(fn, "logs-bucket")
        if "guardduty" in services:
            out["detector_id"] = _ph(fn, "detector")
        if "config" in services:
            out["config_recorder"] = _ph(fn, "recorder")
        if "securityhub" in services:
            out["security_hub_arn"] = f"arn:aws:securityhub:{region}:{account}:hub/default"
        return out
    if fn.type == "network":
        return {"flow_log_group": _ph(fn, "flow-log-group"), "vpc_arn": f"arn:aws:ec2:{region}:{account}:vpc/{_ph(fn, 'vpc')}"}
    if fn.type == "monitoring":
        return {"alarm_arns": [f"arn:aws:cloudwatch:{region}:{account}:alarm:{_ph(fn, 'alarms')}"],
                "topic_arn": f"arn:aws:sns:{region}:{account}:{_ph(fn, 'oncall')}"}  # fmt: skip
    if fn.type == "data-exchange":
        out = {"bucket_arn": f"arn:aws:s3:::{_ph(fn, 'drop-zone')}", "bucket_name": _ph(fn, "drop-zone"),
               "kms_key_arn": key, "partner_prefixes": {p: partner_prefix(p) for p in partners(fn)}}  # fmt: skip
        if s.get("sftp"):
            out.update(server_id=_ph(fn, "sftp-server"),
                       server_arn=f"arn:aws:transfer:{region}:{account}:server/{_ph(fn, 'sftp-server')}")  # fmt: skip
        return out
    raise ValueError(f"function '{fn.name}': no placeholder outputs for type {fn.type}")


def plan_outputs(plan: Plan, account: str = ACCOUNT) -> dict[str, dict[str, Any]]:
    return {f.name: outputs_for(plan, f, account) for f in plan.functions.values()}
