"""AWS regions and their availability-zone counts, known offline.

Regions come from botocore's partition data, read as a file: `validate` must
not import boto3 or botocore. Zone counts come from zones.v1.json, kept by
hand (botocore ships no zone data; the file notes its source and date).
"""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path
from typing import Mapping

from provision.schemas.model import Function

ZONES_FILE = Path(__file__).with_name("zones.v1.json")
# A network function's zones when its `azs` is not set (the schema's default too).
DEFAULT_AZS = 2


@functools.cache
def known_regions() -> frozenset[str]:
    """Every region of every AWS partition botocore knows; empty when botocore is not installed."""
    spec = importlib.util.find_spec("botocore")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    # partitions.json: 7 kB, where endpoints.json is 1.2 MB and takes 0.15 s to parse.
    path = Path(next(iter(spec.submodule_search_locations)), "data", "partitions.json")
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return frozenset()
    return frozenset(
        region
        for partition in data.get("partitions", ())
        for region in partition.get("regions", {})
        if not region.endswith("-global")  # pseudo-regions of global endpoints
    )


@functools.cache
def zone_counts() -> Mapping[str, int]:
    """Region -> the most availability zones an account can use there."""
    return json.loads(ZONES_FILE.read_text())["zones"]


def requested_zones(function: Function) -> int:
    """How many availability zones a network function spans."""
    return int(function.settings.get("azs", DEFAULT_AZS))
