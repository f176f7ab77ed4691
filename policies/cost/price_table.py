"""The offline, versioned AWS price table and usage assumptions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Mapping

DEFAULT_VERSION = "v1"


@dataclass(frozen=True)
class PriceTable:
    version: str
    region: str
    recorded_on: str
    hours_per_month: float
    days_per_month: float
    prices: Mapping[str, Mapping[str, Any]]
    usage: Mapping[str, Mapping[str, float]]  # function type -> assumption -> value
    sources: Mapping[str, str]

    def price(self, service: str, item: str) -> Any:
        return self.prices[service][item]

    def usage_for(self, function_type: str) -> dict[str, float]:
        # Keys starting with "_" document the assumptions; they are not usage.
        return {k: v for k, v in self.usage.get(function_type, {}).items() if not k.startswith("_")}


@lru_cache(maxsize=None)
def load_price_table(version: str = DEFAULT_VERSION) -> PriceTable:
    """Load aws-prices.<version>.json shipped next to this module."""
    text = resources.files(__package__).joinpath(f"aws-prices.{version}.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    return PriceTable(
        version=doc["version"],
        region=doc["region"],
        recorded_on=doc["recordedOn"],
        hours_per_month=float(doc["hoursPerMonth"]),
        days_per_month=float(doc["daysPerMonth"]),
        prices=doc["prices"],
        usage={k: v for k, v in doc["usage"].items() if not k.startswith("_")},
        sources=doc["sources"],
    )
