"""Which AWS regions and vendor countries each data residency allows.

Regions are matched by prefix. `eu` means the European Union and EEA: London
(eu-west-2) and Zurich (eu-central-2) carry the `eu-` prefix but are residencies
of their own (`uk`, `ch`), so they are excluded from `eu`. Countries are ISO
3166 alpha-2 codes.
"""

from __future__ import annotations

from dataclasses import dataclass

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
