"""The availability zones a plan's network functions spread over, as the target account has them.

Zone letters differ by region and account (ca-central-1 has a, b and d), so
they are asked of the account (DescribeAvailabilityZones: available zones
that need no opt-in) before the engine runs, never assumed.
"""

from __future__ import annotations

from typing import Any, Callable

from botocore.exceptions import ClientError

from provision.schemas.model import Plan
from provision.schemas.regions import requested_zones


class ZoneError(Exception):
    """The account offers fewer zones than the plan asks for; the message says which and what to do."""


def available_zones(make_client: Callable[..., Any], region: str) -> list[str]:
    """The zones of `region` the account can use without opting in, in name order."""
    try:
        answer = make_client("ec2", region).describe_availability_zones(
            Filters=[
                {"Name": "state", "Values": ["available"]},
                {"Name": "opt-in-status", "Values": ["opt-in-not-required"]},
                {"Name": "zone-type", "Values": ["availability-zone"]},
            ]
        )
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "Unknown")
        raise ZoneError(f"Could not list the availability zones of {region}: {code}.") from None
    return sorted(zone["ZoneName"] for zone in answer["AvailabilityZones"])


def zones_for(plan: Plan, make_client: Callable[..., Any]) -> tuple[str, ...]:
    """The zones the plan's network functions take their first `azs` from; () when it has none."""
    networks = plan.functions_of_type("network")
    if not networks:
        return ()
    zones = available_zones(make_client, plan.region)
    for function in networks:
        wanted = requested_zones(function)
        if wanted > len(zones):
            offered = ", ".join(zones) or "none"
            raise ZoneError(
                f"Network function `{function.name}` asks for {wanted} availability zones, but the account offers "
                f"{len(zones)} in {plan.region} ({offered}). Set `azs` to {len(zones)} or fewer."
            )
    return tuple(zones)
