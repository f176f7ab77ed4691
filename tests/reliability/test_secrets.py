"""Secrets never appear in plain text: not in the state, the sandbox's log, the engine's logs or any CLI output.

A plan whose external vendor's ExternalId comes from the environment goes
through every command that touches a stack (apply twice, so the refresh path
runs too; plan, status, drift, verify; an apply that fails at the vendor
role; destroy). Then every file of the state directory (Pulumi backend,
history, backups, engine logs, the sandbox's server log) and every byte the
CLI printed is searched for the value. The value must still reach AWS, where
it belongs: the vendor role's trust policy.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from provision.stacks.sandbox.faults import FaultConfig, Rule

pytestmark = pytest.mark.e2e

PLAN = "rel-secret"
ENV = "REL_SECRET_EXTERNAL_ID"


def files_containing(root: Path, needle: bytes) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and needle in p.read_bytes())


def test_the_external_id_is_never_written_or_printed(
    cli, write_plan, faults, sandbox_client, sandbox_state, monkeypatch: pytest.MonkeyPatch
) -> None:
    external_id = f"xid-{secrets.token_hex(12)}"
    monkeypatch.setenv(ENV, external_id)
    plan = write_plan(PLAN, vendor_env=ENV)
    printed: list[str] = []

    def run(*args: str, expect: int = 0) -> None:
        result = cli(*args)
        printed.append(result.output)
        assert result.exit_code == expect, result.output

    # A failure at the role that carries the ExternalId: its error message must not carry it either.
    faults.set(FaultConfig(rules=(Rule(service="iam", operation="CreateRole", code="AccessDenied", status=403),)))
    run("apply", str(plan), "--yes", expect=1)
    faults.clear()
    run("apply", str(plan), "--yes")
    run("apply", str(plan), "--yes")  # the refresh-first path reads the trust policy back from AWS
    run("plan", str(plan))
    run("status", str(plan))
    run("status", str(plan), "--format", "json")
    run("drift", str(plan))
    run("drift", str(plan), "--format", "json")
    run("verify", str(plan))

    outputs = json.loads(cli("status", str(plan), "--format", "json").stdout)["outputs"]
    role = outputs["vendorRoles"]["opsco"].rsplit("/", 1)[-1]
    trust = json.dumps(sandbox_client("iam").get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"])
    assert external_id in trust, "the ExternalId must reach AWS, or this test proves nothing"

    needle = external_id.encode()
    assert files_containing(sandbox_state.root, needle) == []
    assert [i for i, text in enumerate(printed) if external_id in text] == []

    run("destroy", str(plan), "--yes")
    assert files_containing(sandbox_state.root, needle) == []
    assert external_id not in printed[-1]
