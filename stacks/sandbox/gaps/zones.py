"""EC2 CreateSubnet: refuse an availability zone of another region, as AWS does.

moto 5.2.1 looks the zone up among the zones of every region, so a subnet in
ca-central-1 is created in `eu-west-1a`, and an unknown zone is refused with a
list of all ~120 zones. AWS answers InvalidParameterValue for any zone its
region does not have, listing only that region's zones. moto's zone lists of
ca-central-1 (a, b, d) and ap-northeast-1 (a, c, d) already match AWS.
"""

from __future__ import annotations

from typing import Any

from moto.ec2.exceptions import InvalidAvailabilityZoneError
from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend
from moto.ec2.models.subnets import SubnetBackend

_original_create_subnet = SubnetBackend.create_subnet


def _create_subnet(self: Any, vpc_id: str, cidr_block: str, *args: Any, **kwargs: Any) -> Any:
    zone, zone_id = kwargs.get("availability_zone"), kwargs.get("availability_zone_id")
    if args:  # moto's positional order: ipv6_cidr_block, availability_zone, availability_zone_id
        zone = args[1] if len(args) > 1 else zone
        zone_id = args[2] if len(args) > 2 else zone_id
    own = RegionsAndZonesBackend.zones.get(self.region_name, [])
    if zone and zone not in {z.name for z in own}:
        raise InvalidAvailabilityZoneError(zone, ", ".join(z.name for z in own))
    if zone_id and not zone and zone_id not in {z.zone_id for z in own}:
        raise InvalidAvailabilityZoneError(zone_id, ", ".join(z.name for z in own))
    return _original_create_subnet(self, vpc_id, cidr_block, *args, **kwargs)


def install() -> None:
    SubnetBackend.create_subnet = _create_subnet  # type: ignore[method-assign]
