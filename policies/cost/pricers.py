"""The built-in function types' pricers: (pricer, function, usage) -> line items.

Each is named by its type's declaration (schemas.builtin_types); `pricer` is
the estimator's Pricer, which knows the price table, the plan and every
function's usage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from provision.policies.plan_facts import nat_gateway_count
from provision.schemas.model import Function

if TYPE_CHECKING:
    from provision.policies.cost.estimator import Items, Pricer, Usage


def hosting_stored_gb(pricer: "Pricer", f: Function) -> float:
    return pricer.usage[f.name]["storedGB"]


def data_exchange_stored_gb(pricer: "Pricer", f: Function) -> float:
    # Files expire after retentionDays, so that many days of ingest are held.
    return pricer.usage[f.name]["ingestGBPerDay"] * f.settings.get("retentionDays", 0)


def hosting(pricer: "Pricer", f: Function, use: "Usage") -> "Items":
    p, table = pricer.p, pricer.table
    price_class = f.settings.get("priceClass", "PriceClass_100")
    return {
        "s3 storage": use["storedGB"] * p("s3", "storageGBMonth"),
        "s3 requests": use["originGetRequests"] / 1000 * p("s3", "getRequestsPer1000")
        + use["originPutRequests"] / 1000 * p("s3", "putRequestsPer1000"),
        "cloudfront transfer": use["cdnTransferOutGB"] * float(table.price("cloudfront", "transferOutGB")[price_class]),
        "cloudfront requests": use["cdnHttpsRequests"] / 10_000 * p("cloudfront", "httpsRequestsPer10000"),
        "kms key": pricer.kms_key(use["kmsRequests"]),
    }


def backup(pricer: "Pricer", f: Function, use: "Usage") -> "Items":
    protected = [pricer.plan.functions[n] for n in f.settings.get("protects", ()) if n in pricer.plan.functions]
    data_gb = sum(pricer.stored_gb(p) for p in protected)
    stored = data_gb * (1 + use["dailyChangeRate"] * f.settings.get("retentionDays", 0))
    items = {
        "kms key": pricer.kms_key(0),
        "backup storage": stored * pricer.p("backup", "s3WarmStorageGBMonth"),
    }
    if f.settings.get("copyToRegion"):
        items["backup copy storage"] = items["backup storage"]
        monthly_changes = data_gb * use["dailyChangeRate"] * pricer.table.days_per_month
        items["cross-region transfer"] = monthly_changes * pricer.p("backup", "crossRegionTransferGB")
    return items


def security_monitoring(pricer: "Pricer", f: Function, use: "Usage") -> "Items":
    p = pricer.p
    services = f.settings.get("services", ())
    items: Items = {}
    if "guardduty" in services:
        items["guardduty"] = (
            use["cloudtrailEventsMillions"] * p("guardduty", "cloudtrailEventsPerMillion")
            + use["flowAndDnsLogsGB"] * p("guardduty", "flowAndDnsLogsGB")
            + use["s3DataEventsMillions"] * p("guardduty", "s3DataEventsPerMillion")
        )
    if "cloudtrail" in services:
        retention = f.settings.get("trailRetentionDays", 365)
        stored = use["trailLogGBPerMonth"] * retention / pricer.table.days_per_month
        items["cloudtrail log bucket"] = stored * p("s3", "storageGBMonth") + use[
            "trailLogPutRequests"
        ] / 1000 * p("s3", "putRequestsPer1000")
        items["kms key"] = pricer.kms_key(use["kmsRequests"])
    if "securityhub" in services:
        items["security hub"] = use["securityChecks"] * p("securityhub", "securityCheck")
    if "config" in services:
        items["config"] = use["configurationItems"] * p("config", "configurationItem") + use[
            "ruleEvaluations"
        ] * p("config", "ruleEvaluation")
    items["alert notifications"] = pricer.emails(use["alertEmails"])
    return items


def network(pricer: "Pricer", f: Function, use: "Usage") -> "Items":
    p, table = pricer.p, pricer.table
    items: Items = {}
    gateways = nat_gateway_count(f)
    if gateways:
        items["nat gateways"] = gateways * table.hours_per_month * p("vpc", "natGatewayHour") + use[
            "natGBProcessed"
        ] * p("vpc", "natGatewayGBProcessed")
    retention = f.settings.get("flowLogRetentionDays", 90)
    stored = use["flowLogGBPerMonth"] * retention / table.days_per_month
    items["flow logs"] = use["flowLogGBPerMonth"] * p("cloudwatch", "vendedLogsIngestGB") + stored * p(
        "cloudwatch", "logsStorageGBMonth"
    )
    return items


def monitoring(pricer: "Pricer", f: Function, use: "Usage") -> "Items":
    alarms = use["alarmsPerWatchedFunction"] * len(f.settings.get("watches", ()))
    return {
        "alarms": alarms * pricer.p("cloudwatch", "alarmMetricMonth"),
        "dashboards": use["dashboards"] * pricer.p("cloudwatch", "dashboardMonth"),
        "alert notifications": pricer.emails(use["alertEmails"]),
    }


def data_exchange(pricer: "Pricer", f: Function, use: "Usage") -> "Items":
    p = pricer.p
    items = {
        "s3 storage": (pricer.stored_gb(f) + use["accessLogGB"]) * p("s3", "storageGBMonth"),
        "s3 requests": use["getRequests"] / 1000 * p("s3", "getRequestsPer1000")
        + use["putRequests"] / 1000 * p("s3", "putRequestsPer1000"),
        "kms key": pricer.kms_key(use["kmsRequests"]),
    }
    if f.settings.get("sftp", False):
        items["sftp endpoint"] = pricer.table.hours_per_month * p("transfer", "endpointProtocolHour")
        items["sftp transfer"] = use["sftpTransferGB"] * p("transfer", "dataTransferredGB")
    return items
