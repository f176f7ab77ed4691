"""Offline monthly cost estimates for plans (used by the budget policy)."""

from provision.policies.cost.estimator import CostEstimate, estimate
from provision.policies.cost.price_table import PriceTable, load_price_table

__all__ = ["CostEstimate", "PriceTable", "estimate", "load_price_table"]
