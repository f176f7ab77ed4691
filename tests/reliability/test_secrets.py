"""Secrets never appear in plain text: not in the state, the sandbox's log, the engine's logs or any CLI output.

A plan with three external vendors, whose ExternalIds come from the
environment, SSM and Secrets Manager, goes through every command that
touches a stack (apply twice, so the refresh path runs too; plan, status,
drift, verify; an apply that fails at the vendor roles; drift on tampered
trust policies; destroy). Then every file of the state directory (Pulumi
backend, history, backups, engine logs, the sandbox's server log) and every
byte the CLI printed is searched for each value. Each value must still reach AWS, where
it belongs: its vendor role's trust policy.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from provision.stacks.sandbox.faults import FaultConfig, Rule

pytestmark = pytest.mark.e2e

PLAN = "rel-secret"
ENV = "REL_OPSCO_EXTERNAL_ID"  # no SECRET in the name: PRV-IAM-003 refuses credential-like variables


def files_containing(root: Path, needle: bytes) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and needle in p.read_bytes())


def store(kind: str, plan: str, external_id: str, sandbox_client, monkeypatch: pytest.MonkeyPatch) -> str:
    """Put the ExternalId where a reference of `kind` reads it; the reference."""
    if kind == "env":
        monkeypatch.setenv(ENV, external_id)
        return f"env:{ENV}"
    if kind == "ssm":
        name = f"/provision/{plan}/opsco-external-id"
        sandbox_client("ssm").put_parameter(Name=name, Value=external_id, Type="SecureString")
        return f"ssm:{name}"
    name = f"provision/{plan}/opsco-external-id"
    sandbox_client("secretsmanager").create_secret(Name=name, SecretString=external_id)
    return f"secretsmanager:{name}"


def tamper_trust(iam, role: str, external_id: str) -> None:
    """Out of band: open the role to any principal that knows the ExternalId."""
    trust = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
    trust["Statement"].append({"Sid": "Tampered", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
                               "Condition": {"StringEquals": {"sts:ExternalId": external_id}}})
    iam.update_assume_role_policy(RoleName=role, PolicyDocument=json.dumps(trust))


# One vendor per reference kind, all in one plan: each kind goes through every command.
VENDORS = {"env": "opsco-env", "ssm": "opsco-ssm", "secretsmanager": "opsco-sm"}


def test_no_external_id_is_ever_written_or_printed(
    cli, write_plan, faults, sandbox_client, sandbox_state, monkeypatch: pytest.MonkeyPatch
) -> None:
    external_ids = {kind: f"xid-{kind[:3]}-{secrets.token_hex(12)}" for kind in VENDORS}
    monitors = {
        f"ops-{vendor.rsplit('-', 1)[-1]}": (vendor, store(kind, PLAN, external_ids[kind], sandbox_client, monkeypatch))
        for kind, vendor in VENDORS.items()
    }
    plan = write_plan(PLAN, monitors=monitors)
    printed: list[str] = []

    def run(*args: str, expect: int = 0) -> None:
        result = cli(*args)
        printed.append(result.output)
        assert result.exit_code == expect, result.output

    # A failure at the roles that carry the ExternalIds: its error messages must not carry them either.
    faults.set(FaultConfig(rules=(Rule(service="iam", operation="CreateRole", code="AccessDenied", status=403),)))
    run("apply", str(plan), "--yes", expect=1)
    faults.clear()
    run("apply", str(plan), "--yes")
    run("apply", str(plan), "--yes")  # the refresh-first path reads the trust policies back from AWS
    run("plan", str(plan))
    run("status", str(plan))
    run("status", str(plan), "--format", "json")
    run("drift", str(plan))
    run("drift", str(plan), "--format", "json")
    run("verify", str(plan))

    iam = sandbox_client("iam")
    vendor_roles = json.loads(cli("status", str(plan), "--format", "json").stdout)["outputs"]["vendorRoles"]
    roles = {kind: vendor_roles[vendor].rsplit("/", 1)[-1] for kind, vendor in VENDORS.items()}
    for kind, role in roles.items():
        trust = json.dumps(iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"])
        assert external_ids[kind] in trust, f"the {kind}: ExternalId must reach AWS, or this test proves nothing"

    # Drift on a trust policy is the one report that must show a changed secret-bearing document.
    for kind, role in roles.items():
        tamper_trust(iam, role, external_ids[kind])
    run("drift", str(plan), expect=2)
    assert "Tampered" in printed[-1] or "trust" in printed[-1].lower(), printed[-1]
    run("drift", str(plan), "--format", "json", expect=2)
    run("apply", str(plan), "--yes")  # repairs them
    run("drift", str(plan))

    for kind, external_id in external_ids.items():
        assert files_containing(sandbox_state.root, external_id.encode()) == [], kind
        assert [i for i, text in enumerate(printed) if external_id in text] == [], kind

    run("destroy", str(plan), "--yes")
    for kind, external_id in external_ids.items():
        assert files_containing(sandbox_state.root, external_id.encode()) == [], kind
        assert external_id not in printed[-1], kind
