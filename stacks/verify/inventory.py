"""The plan's live resources, from an exported Pulumi deployment.

Each dynamic resource is known by its kind: the provider's resource class
(S3Bucket, IamRole, ...). A type token that names it
(`pulumi-python:dynamic/aws:S3Bucket`) says so directly; the generic
`pulumi-python:dynamic:Resource` does not, so the kind is then recognised by
a property only that provider's resources have. Secret outputs (ciphertext
in an export) are left out: no check needs them, and they must not be shown.
"""

from __future__ import annotations

from typing import Any, Mapping

from provision.stacks.engine.events import kind_of
from provision.stacks.engine.operations import SECRET_SIGNATURE, deployed_resources
from provision.stacks.verify.declared import kind_markers
from provision.stacks.verify.model import LiveResource

# (kind, a property that provider's resources always have: its INVENTORY_MARKER), in
# the order they are tried: a FlowLog also names a log group, so it is tried before
# the LogGroup (its INVENTORY_PRIORITY).
KIND_MARKERS: tuple[tuple[str, str], ...] = kind_markers()


def resource_kind(resource_type: str, outputs: Mapping[str, Any]) -> str:
    """The provider resource class behind a state entry; "" when unknown."""
    named = kind_of(resource_type)
    if named:
        return named
    return next((kind for kind, marker in KIND_MARKERS if marker in outputs), "")


def plain_outputs(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """Outputs without secrets, engine keys (the pickled provider) and None values
    (which the engine does not record either)."""
    return {
        k: v
        for k, v in outputs.items()
        if v is not None and not k.startswith("__") and not (isinstance(v, Mapping) and SECRET_SIGNATURE in v)
    }


def region_of(outputs: Mapping[str, Any], default: str) -> str:
    """Where the resource lives: its `region` property, its ARN's region, else `default`."""
    if outputs.get("region"):
        return str(outputs["region"])
    arn = str(outputs.get("arn") or "")
    parts = arn.split(":")
    return parts[3] if len(parts) > 5 and parts[3] else default


def live_resources(deployment: Mapping[str, Any] | None, default_region: str) -> list[LiveResource]:
    """The plan's resources in a deployment, in state order."""
    raw = {r.get("urn"): r for r in (deployment or {}).get("resources") or []}
    out = []
    for res in deployed_resources(dict(deployment or {})):
        outputs = plain_outputs(raw[res.urn].get("outputs") or {})
        out.append(
            LiveResource(
                urn=res.urn,
                name=res.name,
                kind=resource_kind(res.type, outputs),
                function=res.function,
                id=res.id,
                outputs=outputs,
                region=region_of(outputs, default_region),
            )
        )
    return out
