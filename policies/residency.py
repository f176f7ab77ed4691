"""Which AWS regions and vendor countries each data residency allows, and which regions a plan uses.

The built-in residencies are data (BUILTIN below); an organisation adds its own
under `residencies:` in provision-policies.yaml (see policies.config). Regions
are names or globs (`eu-*`); countries are ISO 3166 alpha-2 codes.

`eu` means the European Union and EEA: London (eu-west-2) and Zurich
(eu-central-2) carry the `eu-` prefix but are residencies of their own. `uk` and
`ch` also admit the EU/EEA, because UK and Swiss law recognise it as adequate
(UK adequacy regulations, Swiss FADP annex 1): that gives each a second region
for backup copies. `apac` is a grouping of jurisdictions, not one: personal or
regulated data needs a national residency (`au`, `jp`, `sg`, `in`, ...).

`regions_used` lists every region a plan puts resources in, and whether the
plan's data is held or carried there (the home region, backup copy regions)
or only metadata (stacks.global_regions: CloudFront alarms and their on-call
topic, AWS Budgets). Residency is judged on the first kind; `plan` and `diff`
show both.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any, Mapping

from provision.schemas.model import Path, Plan
from provision.stacks.functions.monitoring_alarms import alarm_regions
from provision.stacks.global_regions import BUDGETS_REGION

# EU member states plus the EEA (Iceland, Liechtenstein, Norway).
EU_EEA = tuple("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO".split())
_EU_REGIONS = ("eu-*",)
_NOT_EU = ("eu-west-2", "eu-central-2")
ASIA_PACIFIC = tuple("AU NZ JP KR SG IN ID MY TH PH VN HK TW CN BD LK PK".split())

# name -> regions (globs), regions excluded, vendor countries (None: any), label, one jurisdiction?
BUILTIN_TABLE: dict[str, dict[str, Any]] = {
    "eu": {"regions": _EU_REGIONS, "except": _NOT_EU, "countries": EU_EEA, "label": "EU/EEA"},
    "uk": {"regions": ("eu-west-2", *_EU_REGIONS), "except": ("eu-central-2",),
           "countries": ("GB", *EU_EEA), "label": "GB and EU/EEA"},
    "ch": {"regions": ("eu-central-2", *_EU_REGIONS), "except": ("eu-west-2",),
           "countries": ("CH", *EU_EEA), "label": "CH and EU/EEA"},
    "us": {"regions": ("us-*",), "countries": ("US",), "label": "US"},
    "ca": {"regions": ("ca-central-1", "ca-west-1"), "countries": ("CA",), "label": "CA"},
    "au": {"regions": ("ap-southeast-2", "ap-southeast-4"), "countries": ("AU",), "label": "AU"},
    "jp": {"regions": ("ap-northeast-1", "ap-northeast-3"), "countries": ("JP",), "label": "JP"},
    "sg": {"regions": ("ap-southeast-1",), "countries": ("SG",), "label": "SG"},
    "in": {"regions": ("ap-south-1", "ap-south-2"), "countries": ("IN",), "label": "IN"},
    "apac": {"regions": ("ap-*",), "countries": ASIA_PACIFIC, "label": "Asia-Pacific", "jurisdiction": False},
    "global": {"regions": (), "countries": None, "label": "any country", "jurisdiction": False},
}


@dataclass(frozen=True)
class Residency:
    name: str
    regions: tuple[str, ...]  # names or globs; empty: any region
    excluded_regions: frozenset[str] = frozenset()
    countries: frozenset[str] | None = None  # None: any country
    countries_label: str = ""
    jurisdiction: bool = True  # False for groupings of several legal systems (apac, global)

    def allows_region(self, region: str) -> bool:
        if not self.regions:
            return True
        return region not in self.excluded_regions and any(fnmatch.fnmatchcase(region, r) for r in self.regions)

    def allows_country(self, country: str) -> bool:
        return self.countries is None or country.upper() in self.countries

    @property
    def regions_label(self) -> str:
        if not self.regions:
            return "any region"
        label = ", ".join(self.regions)
        if self.excluded_regions:
            label += " except " + ", ".join(sorted(self.excluded_regions))
        return label


def from_data(name: str, entry: Mapping[str, Any]) -> Residency:
    """A residency from one table entry (built-in or from the organisation's config)."""
    countries = entry.get("countries")
    return Residency(
        name=name,
        regions=tuple(entry.get("regions", ())),
        excluded_regions=frozenset(entry.get("except", ())),
        countries=None if countries is None else frozenset(c.upper() for c in countries),
        countries_label=entry.get("label") or ", ".join(countries or ()) or "any country",
        jurisdiction=entry.get("jurisdiction", True),
    )


BUILTIN: dict[str, Residency] = {name: from_data(name, entry) for name, entry in BUILTIN_TABLE.items()}


def residency(name: str, table: Mapping[str, Residency] | None = None) -> Residency | None:
    """The residency called `name` in `table` (default: the built-ins); None when there is none."""
    return (BUILTIN if table is None else table).get(name)


def national_within(grouping: Residency, table: Mapping[str, Residency] | None = None) -> list[str]:
    """The single-jurisdiction residencies whose regions all lie inside `grouping` (au, jp, ... for apac)."""
    found = []
    for candidate in (BUILTIN if table is None else table).values():
        if candidate.jurisdiction and candidate.regions and all(
            "*" not in r and grouping.allows_region(r) for r in candidate.regions
        ):
            found.append(candidate.name)
    return sorted(found)


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
