"""Which resources a vendor's live IAM documents name, judged against the plan and the inventory.

An oracle apart from the policy builders: the documents are read from IAM
with boto3, every resource they name is looked up in the inventory (which
found it by its own tags), and its function must be one the vendor operates
according to the plan: its own, the data exchanges it is a partner of, and
what its monitoring functions watch. In a data exchange with partners, a
partner reaches only `partners/<itself>/`, and does reach it.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from typing import Any, Iterable

from tests.generated.inventory import Item

# Service-wide resources AWS has no narrower ARN for, and the function types that may name them.
WILDCARDS = (
    (re.compile(r"^arn:aws:backup:[^:]+:\d{12}:recovery-point:\*$"), ("backup",)),
    # Runbook actions, tag-scoped; global services (CloudFront, IAM) have no region in their ARNs.
    (re.compile(r"^arn:aws:[a-z0-9-]+:[^:]*:\d{12}:\*$"), ("monitoring",)),
)
TAG_FUNCTION_KEY = "aws:ResourceTag/provision:function"
SINGLETONS = {"guardduty": "guardduty:detector", "securityhub": "securityhub:hub", "config": "config:recorder"}


def partners_of(function: dict[str, Any]) -> list[str]:
    return list(function["dataExchange"].get("partners") or [function["provider"]])


def reach(plan: dict[str, Any], vendor: str) -> set[str]:
    """The functions `vendor` may name: what it operates, plus what its monitoring functions watch."""
    functions = plan["spec"]["functions"]
    operated = {
        name
        for name, f in functions.items()
        if f["provider"] == vendor or (f["type"] == "data-exchange" and vendor in partners_of(f))
    }
    watched = {w for name in operated if functions[name]["type"] == "monitoring" for w in functions[name]["monitoring"]["watches"]}
    return operated | watched


def documents(iam, role: str) -> dict[str, dict[str, Any]]:
    """The role's inline policies and its permissions boundary, by name, as IAM holds them."""
    docs = {}
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        docs[name] = _parsed(iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"])
    boundary = iam.get_role(RoleName=role)["Role"].get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
    if boundary:
        version = iam.get_policy(PolicyArn=boundary)["Policy"]["DefaultVersionId"]
        docs["boundary"] = _parsed(iam.get_policy_version(PolicyArn=boundary, VersionId=version)["PolicyVersion"]["Document"])
    return docs


def _parsed(document: Any) -> dict[str, Any]:
    if isinstance(document, str):
        document = json.loads(urllib.parse.unquote(document))
    return document


def _listed(value: Any) -> list[Any]:
    return [value] if isinstance(value, str) else list(value or [])


def problems(plan: dict[str, Any], vendor: str, docs: dict[str, dict[str, Any]], inventory: Iterable[Item]) -> list[str]:
    """What in `docs` reaches beyond `vendor`'s functions; empty when nothing does."""
    functions = plan["spec"]["functions"]
    allowed = reach(plan, vendor)
    by_arn: dict[str, Item] = {}
    for item in inventory:
        if item.arn:
            by_arn[item.arn] = item
        if item.kind == "guardduty:detector":
            by_arn[f"detector/{item.id}"] = item
    found: list[str] = []
    own_prefixes_reached: set[str] = set()
    for doc_name, doc in docs.items():
        for stmt in _listed(doc.get("Statement")):
            if stmt.get("Effect") != "Allow":
                continue
            where = f"{doc_name}/{stmt.get('Sid', '?')}"
            for resource in _listed(stmt.get("Resource")):
                if resource == "*":
                    continue
                wildcard = next((types for pattern, types in WILDCARDS if pattern.match(resource)), None)
                if wildcard is not None:
                    if not any(functions[n]["type"] in wildcard for n in allowed if functions[n]["provider"] == vendor):
                        found.append(f"{where}: {resource} while {vendor} runs no {'/'.join(wildcard)} function")
                    elif "monitoring" in wildcard and doc_name != "boundary" and not _tag_scoped(stmt):
                        # The boundary only caps the role: what it allows is granted by the inline policies.
                        found.append(f"{where}: {resource} is service-wide with no provision:function tag condition")
                    continue
                item = _owner(resource, by_arn)
                if item is None:
                    found.append(f"{where}: {resource} is no live resource of the plan")
                    continue
                owner = _function(item, functions)
                if owner not in allowed:
                    found.append(f"{where}: {resource} belongs to {owner or 'no function'}, not to {sorted(allowed)}")
                    continue
                if functions[owner]["type"] == "data-exchange" and vendor in partners_of(functions[owner]):
                    key = resource.split("/", 1)[1] if "/" in resource and item.kind == "s3:bucket" else None
                    if key is not None and not key.startswith(f"partners/{vendor}/"):
                        found.append(f"{where}: {resource} is outside {vendor}'s prefix partners/{vendor}/")
                    elif key is not None and doc_name != "boundary":
                        own_prefixes_reached.add(owner)
            for condition in (stmt.get("Condition") or {}).values():
                for name in _listed(condition.get(TAG_FUNCTION_KEY)):
                    if name not in allowed:
                        found.append(f"{where}: tag condition names function {name}, not {vendor}'s")
                for prefix in _listed(condition.get("s3:prefix")):
                    partner = re.match(r"^partners/([^/]+)/", prefix)
                    if partner and partner.group(1) != vendor:
                        found.append(f"{where}: listing prefix {prefix} is another partner's")
    for name in sorted(allowed):
        fn = functions[name]
        if fn["type"] == "data-exchange" and vendor in partners_of(fn) and name not in own_prefixes_reached:
            found.append(f"no inline policy lets partner {vendor} reach partners/{vendor}/ of exchange {name}")
    return found


def _tag_scoped(stmt: dict[str, Any]) -> bool:
    return any(TAG_FUNCTION_KEY in condition for condition in (stmt.get("Condition") or {}).values())


def _owner(resource: str, by_arn: dict[str, Item]) -> Item | None:
    if resource in by_arn:
        return by_arn[resource]
    if resource.startswith("arn:aws:s3:::"):
        return by_arn.get(resource.split("/", 1)[0])
    if ":log-group:" in resource:
        return by_arn.get(resource.removesuffix(":*"))
    if ":guardduty:" in resource:
        return by_arn.get(resource[resource.find("detector/"):])
    return None


def _function(item: Item, functions: dict[str, Any]) -> str | None:
    if item.function:
        return item.function
    # Account singletons may be untagged: they belong to the security monitoring that enables them.
    for name, fn in functions.items():
        services = fn.get("securityMonitoring", {}).get("services", ())
        if any(SINGLETONS.get(s) == item.kind for s in services):
            return name
    return None
