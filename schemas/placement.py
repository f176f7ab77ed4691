"""Where a plan lands on AWS, checked offline: regions, zone counts and physical names.

Rule ids:
- XREF-REGION: a region (`spec.region`, a backup's `copyToRegion`) that no AWS
  partition has (botocore's partition data), with the closest one;
- XREF-ZONES: a network function asks for more availability zones than its
  region has (schemas/zones.v1.json);
- XREF-NAME: a physical name AWS would refuse (a reserved prefix, too short);
- XREF-DUPLICATE: two resources of one kind would get the same physical name.

Run with the cross-reference checks (schemas.xref): apply would fail on any of them.
"""

from __future__ import annotations

import difflib
from typing import Iterator

from provision.schemas.findings import Finding, Level
from provision.schemas.loader import Document
from provision.schemas.model import Path, Plan
from provision.schemas.naming import KINDS, problem
from provision.schemas.plan_names import plan_names
from provision.schemas.regions import DEFAULT_AZS, known_regions, requested_zones, zone_counts
from provision.schemas.schema_messages import dotted

_TITLES = {
    "XREF-REGION": "Unknown AWS region",
    "XREF-ZONES": "More availability zones than the region has",
    "XREF-NAME": "A resource name AWS would refuse",
    "XREF-DUPLICATE": "Two resources would get the same AWS name",
}
Problem = tuple[str, Path, str, str]


def check_placement(plan: Plan, document: Document) -> list[Finding]:
    """Unknown regions, too many zones and impossible or clashing names in `plan`, located in `document`."""
    findings, seen = [], set()
    for rule, path, message, fix in [*_regions(plan), *_zones(plan), *_names(plan)]:
        if (rule, path, message) in seen:
            continue
        seen.add((rule, path, message))
        line, column = document.positions.locate(path)
        findings.append(Finding(document.filename, line, column, rule, Level.ERROR, message, fix, path=path,
                                title=_TITLES[rule]))
    return findings


def _regions(plan: Plan) -> Iterator[Problem]:
    known = known_regions()
    if not known:
        return  # botocore missing: nothing to judge by
    places: list[tuple[Path, str]] = [(("spec", "region"), plan.region)]
    for fn in plan.functions_of_type("backup"):
        if fn.settings.get("copyToRegion"):
            places.append((fn.settings_path + ("copyToRegion",), fn.settings["copyToRegion"]))
    for path, region in places:
        if region in known:
            continue
        close = difflib.get_close_matches(region, sorted(known), n=1, cutoff=0.75)
        fix = f"Did you mean `{close[0]}`?" if close else "Use an AWS region name such as eu-west-1 (see `aws ec2 describe-regions`)."
        yield "XREF-REGION", path, f"`{dotted(path)}`: `{region}` is not an AWS region.", fix


def _zones(plan: Plan) -> Iterator[Problem]:
    most = zone_counts().get(plan.region)
    if most is None:
        return
    for fn in plan.functions_of_type("network"):
        wanted = requested_zones(fn)
        if wanted <= most:
            continue
        given = "azs" in fn.settings
        path = fn.settings_path + ("azs",) if given else fn.settings_path
        asked = f"asks for {wanted} availability zones" + ("" if given else f" (`azs` defaults to {DEFAULT_AZS})")
        yield ("XREF-ZONES", path, f"Network function `{fn.name}` {asked}, but {plan.region} has {most}.",
               f"Set `azs` to {most} or fewer.")


def _names(plan: Plan) -> Iterator[Problem]:
    owners: dict[tuple[str, str, str], str] = {}
    for entry in plan_names(plan):
        why = problem(entry.name, entry.kind)
        if why is not None:
            yield _refused(plan, entry.name, entry.kind, entry.path, entry.what, why)
        first = owners.setdefault((entry.kind, entry.scope, entry.name), entry.what)
        if first != entry.what:
            yield ("XREF-DUPLICATE", entry.path,
                   f"{first[0].upper()}{first[1:]} and {entry.what} would both be the {KINDS[entry.kind].label} "
                   f"`{entry.name}`.",
                   "Rename one of the functions or providers involved.")


def _refused(plan: Plan, name: str, kind: str, path: Path, what: str, why: str) -> Problem:
    label = KINDS[kind].label
    reserved = next((p for p in KINDS[kind].reserved_prefixes if name.startswith(p)), None)
    if reserved and plan.name.startswith(reserved):
        # Every bucket of the plan starts with the plan's name: blame the name, once.
        path = ("metadata", "name")
        return ("XREF-NAME", path,
                f"`metadata.name`: {label} names start with the plan name `{plan.name}`, but {why}.",
                f"Choose a plan name that does not start with `{reserved}`.")
    return ("XREF-NAME", path, f"`{dotted(path)}`: {what} would be named `{name}`, but {why}.",
            f"Rename it so that the {label} name fits: {KINDS[kind].min_len} to {KINDS[kind].max_len} characters.")
