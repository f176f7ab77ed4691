"""#19 item 11: NAT gateways per tier, as documented: one per AZ for a critical network, one otherwise.

The cost estimate counted one gateway per AZ whatever the tier; it now counts
what the network program builds. The oracle is the price table's own figures.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TABLE = json.loads((ROOT / "policies/cost/aws-prices.v1.json").read_text())
GATEWAY_MONTH = TABLE["hoursPerMonth"] * TABLE["prices"]["vpc"]["natGatewayHour"]


def nat_item(run, plan: Path) -> float:
    document = json.loads(run("cost", plan, "--format", "json").stdout)
    [network] = [f for f in document["functions"] if f["function"] == "payments-net"]
    return network["items"]["nat gateways"]


@pytest.mark.parametrize(("tier", "gateways"), [("critical", 3), ("standard", 1)])
def test_item11_nat_gateways_priced_per_tier(run, edited, tier, gateways) -> None:
    critical = nat_item(run, edited("eu-fintech", name="critical"))
    plan = edited("eu-fintech", ("      tier: critical\n      data: regulated  # cardholder",
                                 f"      tier: {tier}\n      data: regulated  # cardholder"), name=tier)
    # The processed-data part is the same for both: the difference is the gateways' hours alone.
    assert critical - nat_item(run, plan) == pytest.approx((3 - gateways) * GATEWAY_MONTH, abs=0.02)


def test_item11_the_readme_documents_nat_per_tier() -> None:
    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "one NAT gateway per availability zone for a critical network function, and one shared" in text
