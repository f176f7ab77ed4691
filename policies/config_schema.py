"""The JSON Schema of provision-policies.yaml, generated from the policy catalogue.

Generated, not written by hand, so it always lists the policies and params of
this version with their types (`provision schema policy-config` prints it).
The parser in policies.config stays the authority: it says what is wrong with
file:line:column; the schema lets editors complete and check the file.
"""

from __future__ import annotations

from typing import Any

from provision.policies.base import Enforcement
from provision.policies.references import SCHEMES
from provision.policies.registry import POLICIES
from provision.policies.residency import BUILTIN

def _of(default: Any) -> dict[str, Any]:
    """A schema for values of the default's kind (maps: the same keys, each optional)."""
    if isinstance(default, bool):
        return {"type": "boolean"}
    if isinstance(default, int):
        return {"type": "integer"}
    if isinstance(default, float):
        return {"type": "number"}
    if isinstance(default, str):
        return {"type": "string"}
    if isinstance(default, list):
        return {"type": "array", "items": _of(default[0]) if default else {}}
    if isinstance(default, dict):
        return {"type": "object", "additionalProperties": False,
                "properties": {key: _of(value) for key, value in default.items()}}
    return {}


def _policy(policy) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": policy.title,
        "description": f"{policy.description} Default enforcement: {policy.enforcement.value}.",
        "type": "object",
        "additionalProperties": False,
        "properties": {"enforcement": {"enum": [e.value for e in Enforcement]}},
    }
    if policy.params:
        params = _of(dict(policy.params))
        params["description"] = "Defaults: " + ", ".join(f"{k}={v!r}" for k, v in policy.params.items())
        body["properties"]["params"] = params
    return body


def config_schema() -> dict[str, Any]:
    """The schema (draft 2020-12) of provision-policies.yaml."""
    schemes = "|".join(SCHEMES)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "provision policy config (provision-policies.yaml)",
        "description": "Per-organisation policy enforcement and parameters, the external-id namespace and "
                       "extra data residencies. See docs/policy-config.md.",
        "type": ["object", "null"],
        "additionalProperties": False,
        "properties": {
            "policies": {
                "type": ["object", "null"],
                "additionalProperties": False,
                "properties": {policy.id: _policy(policy) for policy in POLICIES},
            },
            "externalIdRefs": {
                "description": "Globs an externalIdRef must match (default: ssm:/provision/*, "
                               "secretsmanager:provision/*, env:*_EXTERNAL_ID). Credential variables are refused "
                               "whatever these say.",
                "type": "array",
                "items": {"type": "string", "pattern": f"^({schemes}):.+$"},
            },
            "residencies": {
                "description": "Data residencies added to the built-in ones, by name.",
                "type": "object",
                "propertyNames": {"pattern": "^[a-z][a-z0-9-]{1,30}$", "not": {"enum": sorted(BUILTIN)}},
                "additionalProperties": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["regions", "countries"],
                    "properties": {
                        "regions": {"type": "array", "minItems": 1, "items": {"type": "string"},
                                    "description": "AWS regions or globs such as ap-southeast-*."},
                        "except": {"type": "array", "items": {"type": "string"},
                                   "description": "Regions the globs match but the residency excludes."},
                        "countries": {"type": "array", "minItems": 1,
                                      "items": {"type": "string", "pattern": "^[A-Z]{2}$"},
                                      "description": "ISO 3166 alpha-2 codes of the countries vendors may be in."},
                        "label": {"type": "string"},
                    },
                },
            },
            "costAllocationTagsActive": {
                "description": "True once the management account has activated the provision:* tags as cost "
                               "allocation tags: budgets then filter on them. Default false: budgets count all spend.",
                "type": "boolean",
            },
        },
    }
