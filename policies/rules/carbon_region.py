"""PRV-SUS-001: the home region's electricity grid is not carbon-heavy."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import RESIDENCIES, Enforcement, Policy, Violation
from provision.policies.residency import residency
from provision.schemas.model import Plan

# Grid carbon intensity per AWS region in gCO2e/kWh, from the Cloud Carbon Footprint
# methodology's AWS emissions factors (Thoughtworks, cloudcarbonfootprint.org;
# US regions use their eGRID NERC region: us-east-1 SERC, us-east-2 RFC, us-west-* WECC).
# Location-based grid averages, not AWS's market-based figures; regions missing
# here are never flagged.
GRID_INTENSITY = {
    "af-south-1": 901,
    "ap-east-1": 710,
    "ap-south-1": 708,
    "ap-northeast-1": 466,
    "ap-northeast-2": 416,
    "ap-northeast-3": 466,
    "ap-southeast-1": 408,
    "ap-southeast-2": 760,
    "ap-southeast-3": 718,
    "ca-central-1": 120,
    "eu-central-1": 311,
    "eu-north-1": 9,
    "eu-south-1": 213,
    "eu-west-1": 279,
    "eu-west-2": 225,
    "eu-west-3": 51,
    "me-central-1": 404,
    "me-south-1": 506,
    "sa-east-1": 62,
    "us-east-1": 379,
    "us-east-2": 411,
    "us-west-1": 322,
    "us-west-2": 322,
}


def greener(plan: Plan, limit: float, table=None) -> list[str]:
    """Up to three regions inside the plan's residency on a cleaner grid than its home region,
    cleanest first; those at or under `limit` when there are any."""
    allowed = residency(plan.data_residency, table)
    if allowed is None:
        return []
    home = GRID_INTENSITY.get(plan.region, float("inf"))
    cleaner = sorted((r for r, g in GRID_INTENSITY.items() if g < home and allowed.allows_region(r)),
                     key=GRID_INTENSITY.__getitem__)
    under = [r for r in cleaner if GRID_INTENSITY[r] <= limit]
    return (under or cleaner)[:3]


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    limit = params["maxGramsCO2ePerKWh"]
    intensity = GRID_INTENSITY.get(plan.region)
    if intensity is None or intensity <= limit:
        return
    message = f"home region {plan.region} runs on a grid of about {intensity} gCO2e/kWh, above {limit:g}"
    options = greener(plan, limit, params.get(RESIDENCIES))
    named = ", ".join(f"{r} ({GRID_INTENSITY[r]})" for r in options)
    inside = f"inside data residency '{plan.data_residency}'"
    if options and GRID_INTENSITY[options[0]] <= limit:
        message += f"; inside residency '{plan.data_residency}' consider {named}"
        fix = f"Move spec.region to one of {named} ({inside}), or accept the advisory."
    elif options:
        fix = (f"No region {inside} is under {limit:g} gCO2e/kWh; the cleanest are {named}. Move spec.region "
               "to one of them, or accept the advisory.")
    else:
        fix = f"No region {inside} has a cleaner grid than {plan.region}: accept the advisory."
    yield Violation(message, ("spec", "region"), fix=fix)


POLICY = Policy(
    id="PRV-SUS-001",
    title="Home region on a low-carbon grid",
    enforcement=Enforcement.ADVISORY,
    description=(
        "The same workload emits several times more CO2e in some regions than in others. Flags a "
        "home region whose grid carbon intensity exceeds maxGramsCO2ePerKWh (default 400, about "
        "the average of the AWS regions), and suggests lower-carbon regions inside the data "
        "residency. Intensities are the Cloud Carbon Footprint project's location-based AWS "
        "emissions factors, e.g. af-south-1 901, ap-southeast-2 760, ap-south-1 708, us-east-2 "
        "411, us-east-1 379, eu-west-1 279, eu-north-1 9 gCO2e/kWh."
    ),
    remediation="Choose a lower-carbon region inside the data residency, or accept the advisory.",
    check=check,
    params={"maxGramsCO2ePerKWh": 400},
    tags=("sustainability",),
)
