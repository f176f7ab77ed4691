"""Where a vendor's `externalIdRef` may point.

The value behind the reference is copied into the vendor's trust policy, which
anyone with iam:GetRole can read. A reference must therefore stay inside a
namespace kept for external ids: otherwise a plan change could publish any
secret the deploying identity can read (a database password in SSM, the
deployer's own AWS keys in the environment). The organisation sets the
namespace (`externalIdRefs:` in provision-policies.yaml); credential variables
are refused whatever it says.
"""

from __future__ import annotations

import fnmatch
import re

DEFAULT_EXTERNAL_ID_REFS = ("ssm:/provision/*", "secretsmanager:provision/*", "env:*_EXTERNAL_ID")
SCHEMES = ("env", "ssm", "secretsmanager")

# Environment variables that hold credentials of the deploying identity or of CI; never an external id.
_CREDENTIAL_PREFIXES = ("AWS_", "AMAZON_", "ACTIONS_", "GITHUB_", "RUNNER_", "CI_", "PULUMI_", "AZURE_", "GOOGLE_",
                        "GCP_", "ARM_", "VAULT_", "SSH_")
_CREDENTIAL_WORDS = re.compile(r"(SECRET|PASSWORD|PASSWD|TOKEN|PASSPHRASE|PRIVATE|CREDENTIAL|SESSION|ACCESS_KEY)")


class ReferenceError_(ValueError):
    """A reference or namespace glob that is not acceptable; the message says why."""


def is_credential_variable(name: str) -> bool:
    """True for environment variables that hold credentials (AWS_*, *_TOKEN, *SECRET*, ...)."""
    upper = name.upper()
    return upper.startswith(_CREDENTIAL_PREFIXES) or bool(_CREDENTIAL_WORDS.search(upper))


def check_namespace(glob: str) -> None:
    """Refuse a namespace glob that is malformed or could reach credentials."""
    scheme, sep, target = glob.partition(":")
    if not sep or scheme not in SCHEMES or not target:
        raise ReferenceError_(f"'{glob}' must be env:GLOB, ssm:/GLOB or secretsmanager:GLOB")
    if scheme == "env" and not target.replace("*", "").strip("_"):
        raise ReferenceError_(f"'{glob}' would admit every environment variable; name a suffix such as "
                              "env:*_EXTERNAL_ID")
    if target.strip("*/") == "":
        raise ReferenceError_(f"'{glob}' would admit every {scheme} name; name a prefix such as {scheme}:"
                              + ("/acme/vendors/*" if scheme == "ssm" else "acme/vendors/*"))


def problem(ref: str, namespace: tuple[str, ...]) -> str | None:
    """Why `ref` may not be used (None when it may)."""
    scheme, _, target = ref.partition(":")
    if scheme == "env" and is_credential_variable(target):
        return f"{ref} names a credential variable, which is never an external id"
    if any(part in ("..", ".") for part in target.split("/")):
        return f"{ref} climbs out of its namespace with '..' or '.'"
    if not any(fnmatch.fnmatchcase(ref, glob) for glob in namespace):
        return f"{ref} is outside the external-id namespace ({', '.join(namespace)})"
    return None
