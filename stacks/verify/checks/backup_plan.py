"""Backup plans: a rule runs often enough for the RPO, keeps recovery points (and copies) long enough,
and copies them to the plan's second region.

The schedule is read back from its cron expression here, independently of how
the program wrote it, so a rule edited outside provision is judged as it is.
"""

from __future__ import annotations

import re
from typing import Iterator

from provision.stacks.verify.model import LiveResource, Outcome, VerifyContext, check, fail, ok

_CRON = re.compile(r"^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$")


def longest_gap_hours(expression: str) -> int | None:
    """The longest time between two runs of an AWS cron() schedule, in hours; None when unsure.

    Handles what backup schedules use: a fixed minute; hours as `*`, `*/N`, a
    list or one hour; days of the month as `*`, `?` or `*/N`; one day of the
    week, or every day.
    """
    match = _CRON.match(expression.strip())
    if match is None:
        return None
    minute, hours, day, month, weekday, _year = match.groups()
    if not minute.isdigit() or month not in ("*", "?"):
        return None
    if weekday not in ("*", "?"):
        return 168 if re.fullmatch(r"[A-Z]{3}|[1-7]", weekday) and day in ("*", "?") else None
    if day in ("*", "?"):
        every_days = 1
    elif re.fullmatch(r"\*/\d+", day):
        every_days = int(day[2:])
    else:
        return None
    if every_days > 1:
        return every_days * 24 if hours.isdigit() else None
    if hours == "*":
        return 1
    if re.fullmatch(r"\*/\d+", hours):
        times = list(range(0, 24, int(hours[2:])))
    elif re.fullmatch(r"\d+(,\d+)*", hours):
        times = sorted(int(h) for h in hours.split(","))
    else:
        return None
    gaps = [later - earlier for earlier, later in zip(times, times[1:])] + [24 - times[-1] + times[0]]
    return max(gaps)


def _rules(res: LiveResource, ctx: VerifyContext) -> list[dict]:
    return ctx.client("backup", res).get_backup_plan(BackupPlanId=res.id)["BackupPlan"].get("Rules", [])


def _settings(res: LiveResource, ctx: VerifyContext) -> dict | None:
    function = ctx.plan.functions.get(res.function or "")
    return function.settings if function is not None and function.type == "backup" else None


@check("backup.plan-schedule")
def schedule(res: LiveResource, ctx: VerifyContext) -> Iterator[Outcome]:
    """Some rule backs up at least every rpoHours."""
    settings = _settings(res, ctx)
    if settings is None:
        return
    rpo = int(settings["rpoHours"])
    gaps = {rule["RuleName"]: longest_gap_hours(rule.get("ScheduleExpression", "")) for rule in _rules(res, ctx)}
    meeting = sorted(name for name, gap in gaps.items() if gap is not None and gap <= rpo)
    if meeting:
        yield ok(f"rule {meeting[0]} backs up at least every {gaps[meeting[0]]} h, within the RPO of {rpo} h")
    elif not gaps:
        yield fail(f"the plan has no rule: nothing is backed up (RPO {rpo} h)")
    else:
        shown = ", ".join(f"{name} every {gap} h" if gap else f"{name} on a schedule not understood"
                          for name, gap in sorted(gaps.items()))
        yield fail(f"no rule backs up within the RPO of {rpo} h: {shown}")


@check("backup.plan-retention")
def retention(res: LiveResource, ctx: VerifyContext) -> Iterator[Outcome]:
    """Every rule keeps recovery points, and their copies, at least retentionDays."""
    settings = _settings(res, ctx)
    if settings is None:
        return
    days = int(settings["retentionDays"])
    short = []
    for rule in _rules(res, ctx):
        kept = (rule.get("Lifecycle") or {}).get("DeleteAfterDays")
        if kept is not None and kept < days:
            short.append(f"rule {rule['RuleName']} deletes after {kept} days")
        for copy in rule.get("CopyActions") or []:
            copied = (copy.get("Lifecycle") or {}).get("DeleteAfterDays")
            if copied is not None and copied < days:
                short.append(f"rule {rule['RuleName']} deletes copies after {copied} days")
    if short:
        yield fail(f"retention is {days} days in the plan, but " + "; ".join(short))
    else:
        yield ok(f"recovery points and copies are kept at least {days} days")


@check("backup.plan-copy")
def copy(res: LiveResource, ctx: VerifyContext) -> Iterator[Outcome]:
    """With copyToRegion, every rule copies its recovery points to a vault in that region."""
    settings = _settings(res, ctx)
    if settings is None or not settings.get("copyToRegion"):
        return
    region = settings["copyToRegion"]
    missing = [
        rule["RuleName"]
        for rule in _rules(res, ctx)
        if not any(c.get("DestinationBackupVaultArn", "").split(":")[3:4] == [region] for c in rule.get("CopyActions") or [])
    ]
    if missing:
        yield fail(f"rule(s) {', '.join(missing)} copy no recovery point to {region}, the plan's copyToRegion")
    else:
        yield ok(f"every rule copies its recovery points to a vault in {region}")
