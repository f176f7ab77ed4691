"""Monthly cost of a plan, from the offline price table and explicit usage assumptions.

Each function type has a pricer that turns the function's settings plus its
usage assumptions into named line items (USD a month). The numbers are an
estimate for budgeting and review, not a quote: see the notes in the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

from provision.policies.cost.price_table import PriceTable, load_price_table
from provision.policies.plan_facts import nat_gateway_count
from provision.schemas.model import Function, Plan

Usage = Mapping[str, float]
Items = dict[str, float]


@dataclass(frozen=True)
class CostEstimate:
    per_function: Mapping[str, float]  # function name -> USD a month
    plan_level: Mapping[str, float]  # plan-wide items (budgets) -> USD a month
    total_usd: float
    price_table_version: str
    items: Mapping[str, Mapping[str, float]]  # function name -> line item -> USD a month


class _Pricer:
    """Prices one plan against one table; shared so backups can see what they protect."""

    def __init__(self, plan: Plan, table: PriceTable, usage: Mapping[str, Usage]):
        unknown = set(usage) - set(plan.functions)
        if unknown:
            raise ValueError(f"usage given for unknown functions: {', '.join(sorted(unknown))}")
        self.plan, self.table = plan, table
        self.usage: dict[str, dict[str, float]] = {}
        for name, function in plan.functions.items():
            defaults = table.usage_for(function.type)
            extra = set(usage.get(name, {})) - set(defaults)
            if extra:
                raise ValueError(f"unknown usage keys for function '{name}': {', '.join(sorted(extra))}")
            self.usage[name] = {**defaults, **usage.get(name, {})}

    def p(self, service: str, item: str) -> float:
        return float(self.table.price(service, item))

    def stored_gb(self, function: Function) -> float:
        """Data a function holds at steady state, the basis for backing it up."""
        use = self.usage[function.name]
        if function.type == "hosting":
            return use["storedGB"]
        if function.type == "data-exchange":
            return use["ingestGBPerDay"] * function.settings.get("retentionDays", 0)
        return 0.0

    def kms_key(self, requests: float) -> float:
        return self.p("kms", "keyMonth") + requests / 10_000 * self.p("kms", "requestsPer10000")

    def emails(self, count: float) -> float:
        return count / 100_000 * self.p("sns", "emailNotificationsPer100000")

    def hosting(self, f: Function, use: Usage) -> Items:
        price_class = f.settings.get("priceClass", "PriceClass_100")
        return {
            "s3 storage": use["storedGB"] * self.p("s3", "storageGBMonth"),
            "s3 requests": use["originGetRequests"] / 1000 * self.p("s3", "getRequestsPer1000")
            + use["originPutRequests"] / 1000 * self.p("s3", "putRequestsPer1000"),
            "cloudfront transfer": use["cdnTransferOutGB"]
            * float(self.table.price("cloudfront", "transferOutGB")[price_class]),
            "cloudfront requests": use["cdnHttpsRequests"] / 10_000 * self.p("cloudfront", "httpsRequestsPer10000"),
            "kms key": self.kms_key(use["kmsRequests"]),
        }

    def backup(self, f: Function, use: Usage) -> Items:
        protected = [self.plan.functions[n] for n in f.settings.get("protects", ()) if n in self.plan.functions]
        data_gb = sum(self.stored_gb(p) for p in protected)
        stored = data_gb * (1 + use["dailyChangeRate"] * f.settings.get("retentionDays", 0))
        items = {
            "kms key": self.kms_key(0),
            "backup storage": stored * self.p("backup", "s3WarmStorageGBMonth"),
        }
        if f.settings.get("copyToRegion"):
            items["backup copy storage"] = items["backup storage"]
            monthly_changes = data_gb * use["dailyChangeRate"] * self.table.days_per_month
            items["cross-region transfer"] = monthly_changes * self.p("backup", "crossRegionTransferGB")
        return items

    def security_monitoring(self, f: Function, use: Usage) -> Items:
        services = f.settings.get("services", ())
        items: Items = {}
        if "guardduty" in services:
            items["guardduty"] = (
                use["cloudtrailEventsMillions"] * self.p("guardduty", "cloudtrailEventsPerMillion")
                + use["flowAndDnsLogsGB"] * self.p("guardduty", "flowAndDnsLogsGB")
                + use["s3DataEventsMillions"] * self.p("guardduty", "s3DataEventsPerMillion")
            )
        if "cloudtrail" in services:
            retention = f.settings.get("trailRetentionDays", 365)
            stored = use["trailLogGBPerMonth"] * retention / self.table.days_per_month
            items["cloudtrail log bucket"] = stored * self.p("s3", "storageGBMonth") + use[
                "trailLogPutRequests"
            ] / 1000 * self.p("s3", "putRequestsPer1000")
            items["kms key"] = self.kms_key(use["kmsRequests"])
        if "securityhub" in services:
            items["security hub"] = use["securityChecks"] * self.p("securityhub", "securityCheck")
        if "config" in services:
            items["config"] = use["configurationItems"] * self.p("config", "configurationItem") + use[
                "ruleEvaluations"
            ] * self.p("config", "ruleEvaluation")
        items["alert notifications"] = self.emails(use["alertEmails"])
        return items

    def network(self, f: Function, use: Usage) -> Items:
        items: Items = {}
        gateways = nat_gateway_count(f)
        if gateways:
            items["nat gateways"] = gateways * self.table.hours_per_month * self.p(
                "vpc", "natGatewayHour"
            ) + use["natGBProcessed"] * self.p("vpc", "natGatewayGBProcessed")
        retention = f.settings.get("flowLogRetentionDays", 90)
        stored = use["flowLogGBPerMonth"] * retention / self.table.days_per_month
        items["flow logs"] = use["flowLogGBPerMonth"] * self.p("cloudwatch", "vendedLogsIngestGB") + stored * self.p(
            "cloudwatch", "logsStorageGBMonth"
        )
        return items

    def monitoring(self, f: Function, use: Usage) -> Items:
        alarms = use["alarmsPerWatchedFunction"] * len(f.settings.get("watches", ()))
        return {
            "alarms": alarms * self.p("cloudwatch", "alarmMetricMonth"),
            "dashboards": use["dashboards"] * self.p("cloudwatch", "dashboardMonth"),
            "alert notifications": self.emails(use["alertEmails"]),
        }

    def data_exchange(self, f: Function, use: Usage) -> Items:
        items = {
            "s3 storage": (self.stored_gb(f) + use["accessLogGB"]) * self.p("s3", "storageGBMonth"),
            "s3 requests": use["getRequests"] / 1000 * self.p("s3", "getRequestsPer1000")
            + use["putRequests"] / 1000 * self.p("s3", "putRequestsPer1000"),
            "kms key": self.kms_key(use["kmsRequests"]),
        }
        if f.settings.get("sftp", False):
            items["sftp endpoint"] = self.table.hours_per_month * self.p("transfer", "endpointProtocolHour")
            items["sftp transfer"] = use["sftpTransferGB"] * self.p("transfer", "dataTransferredGB")
        return items

    def function_items(self, f: Function) -> Items:
        pricers: dict[str, Callable[[Function, Usage], Items]] = {
            "hosting": self.hosting,
            "backup": self.backup,
            "security-monitoring": self.security_monitoring,
            "network": self.network,
            "monitoring": self.monitoring,
            "data-exchange": self.data_exchange,
        }
        return pricers[f.type](f, self.usage[f.name])

    def plan_items(self) -> Items:
        budgets = (self.plan.budget is not None) + sum(f.budget is not None for f in self.plan.functions.values())
        billable = max(0, budgets - int(self.p("budgets", "freeBudgets")))
        return {"budgets": billable * self.p("budgets", "budgetDay") * self.table.days_per_month}


def _cents(amount: float) -> float:
    return round(amount, 2)


def estimate(
    plan: Plan, *, usage: Mapping[str, Usage] | None = None, table: PriceTable | None = None
) -> CostEstimate:
    """Estimate the plan's monthly AWS cost in USD.

    `usage` overrides the table's assumptions per function, e.g.
    {"web": {"cdnTransferOutGB": 500}}; unknown functions or keys raise ValueError.
    """
    pricer = _Pricer(plan, table or load_price_table(), usage or {})
    items = {name: pricer.function_items(f) for name, f in plan.functions.items()}
    plan_items = pricer.plan_items()
    per_function = {name: sum(lines.values()) for name, lines in items.items()}
    total = sum(per_function.values()) + sum(plan_items.values())
    return CostEstimate(
        per_function={n: _cents(v) for n, v in per_function.items()},
        plan_level={n: _cents(v) for n, v in plan_items.items()},
        total_usd=_cents(total),
        price_table_version=pricer.table.version,
        items={n: {k: _cents(v) for k, v in lines.items()} for n, lines in items.items()},
    )
