"""AWS physical names of a plan's resources, computable without Pulumi.

`provision validate` needs them to catch two functions whose names would clash
once cut to AWS length limits, and must not import the stacks (Pulumi).
"""

from __future__ import annotations

import hashlib
import re

DIGEST_LENGTH = 8


def physical_name(plan_name: str, environment: str, region: str, account_id: str,
                  function: str, suffix: str = "", max_len: int = 63) -> str:
    """A deterministic AWS name, lowercase, unique per plan/environment/function.

    Names that must be globally unique (S3) get a short hash of plan,
    environment, region and account, so two plans never collide; names too
    long for `max_len` keep the hash and lose the end of their readable part.
    """
    digest = hashlib.sha256(f"{plan_name}/{environment}/{region}/{account_id}".encode()).hexdigest()[:DIGEST_LENGTH]
    parts = (plan_name, environment, function, suffix, digest)
    name = re.sub(r"[^a-z0-9-]+", "-", "-".join(p for p in parts if p).lower()).strip("-")
    if len(name) > max_len:
        # Keep the hash (uniqueness) and cut the readable middle.
        name = name[: max_len - DIGEST_LENGTH - 1].rstrip("-") + "-" + digest
    return name


def function_stem(plan_name: str, environment: str, function: str, max_len: int = 63) -> str:
    """The readable part every resource name of `function` starts with (no suffix, no hash)."""
    name = physical_name(plan_name, environment, "", "", function, max_len=max_len)
    return name[: -DIGEST_LENGTH - 1]
