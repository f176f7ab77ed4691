"""Which AWS regions and vendor countries each data residency allows, and which regions a plan uses.

Regions are matched by prefix. `eu` means the European Union and EEA: London
(eu-west-2) and Zurich (eu-central-2) carry the `eu-` prefix but are residencies
of their own (`uk`, `ch`), so they are excluded from `eu`. Countries are ISO
3166 alpha-2 codes.

`regions_used` lists every region a plan puts resources in, and whether the
plan's data is held or carried there (the home region, backup copy regions)
or only metadata (stacks.global_regions: CloudFront alarms and their on-call
topic, AWS Budgets). Residency is judged on the first kind; `plan` and `diff`
show both.
"""

from __future__ import annotations

from dataclasses import dataclass

from provision.schemas.model import Path, Plan
from provision.stacks.functions.monitoring_alarms import alarm_regions
from provision.stacks.global_regions import BUDGETS_REGION

# EU member states plus the EEA (Iceland, Liechtenstein, Norway).
EU_EEA = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO".split()
)
ASIA_PACIFIC = frozenset("AU NZ JP KR SG IN ID MY TH PH VN HK TW CN BD LK PK".split())


@dataclass(frozen=True)
class Residency:
    name: str
    region_prefixes: tuple[str, ...]  # empty: any region
    excluded_regions: frozenset[str] = frozenset()
    countries: frozenset[str] | None = None  # None: any country
    countries_label: str = ""

    def allows_region(self, region: str) -> bool:
        if not self.region_prefixes:
            return True
        return region.startswith(self.region_prefixes) and region not in self.excluded_regions

    def allows_country(self, country: str) -> bool:
        return self.countries is None or country.upper() in self.countries

    @property
    def regions_label(self) -> str:
        if not self.region_prefixes:
            return "any region"
        label = ", ".join(p + "*" if p.endswith("-") else p for p in self.region_prefixes)
        if self.excluded_regions:
            label += " except " + ", ".join(sorted(self.excluded_regions))
        return label


RESIDENCIES: dict[str, Residency] = {
    r.name: r
    for r in (
        Residency("eu", ("eu-",), frozenset({"eu-west-2", "eu-central-2"}), EU_EEA, "EU/EEA"),
        Residency("uk", ("eu-west-2",), countries=frozenset({"GB"}), countries_label="GB"),
        Residency("ch", ("eu-central-2",), countries=frozenset({"CH"}), countries_label="CH"),
        Residency("us", ("us-",), countries=frozenset({"US"}), countries_label="US"),
        Residency("ca", ("ca-",), countries=frozenset({"CA"}), countries_label="CA"),
        Residency("apac", ("ap-",), countries=ASIA_PACIFIC, countries_label="Asia-Pacific"),
        Residency("global", ()),
    )
}


def residency(name: str) -> Residency:
    return RESIDENCIES[name]


HOME, BACKUP_COPIES, ALARMS, BUDGETS = "home", "backup-copies", "alarms", "budgets"


@dataclass(frozen=True)
class RegionUse:
    """One reason a plan puts resources in a region."""

    region: str
    kind: str  # home | backup-copies | alarms | budgets
    holds_data: bool
    function: str | None = None
    path: Path = ()

    def describe(self) -> str:
        what = {
            HOME: "home region: every function's resources",
            BACKUP_COPIES: f"backup copies of '{self.function}'",
            ALARMS: f"CloudFront alarms of '{self.function}' and their on-call topic and key",
            BUDGETS: "AWS Budgets",
        }[self.kind]
        return what if self.holds_data else f"{what} (metadata only)"


def regions_used(plan: Plan) -> list[RegionUse]:
    """Every region `plan` puts resources in, and why; the home region first."""
    uses = [RegionUse(plan.region, HOME, True, path=("spec", "region"))]
    for backup in plan.functions_of_type("backup"):
        copy = backup.settings.get("copyToRegion")
        if copy:
            uses.append(RegionUse(copy, BACKUP_COPIES, True, backup.name, backup.settings_path + ("copyToRegion",)))
    for monitoring in plan.functions_of_type("monitoring"):
        watched = [plan.functions[n] for n in monitoring.settings.get("watches", ()) if n in plan.functions]
        for region in sorted({r for w in watched for r in alarm_regions(plan, w)}):
            uses.append(RegionUse(region, ALARMS, False, monitoring.name, monitoring.settings_path + ("watches",)))
    if (plan.budget or any(f.budget for f in plan.functions.values())) and BUDGETS_REGION != plan.region:
        uses.append(RegionUse(BUDGETS_REGION, BUDGETS, False, path=("spec", "budget")))
    return uses
