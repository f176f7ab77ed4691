"""A permanent AWS failure mid-apply: a clear error, a truthful state, no orphans, and a re-apply converges.

The fault injector denies one call of one resource's create, every time. The
apply must stop with an error naming that resource and the AWS error; the
state must list exactly what exists in AWS (the half-made resource rolled
back, everything created before it recorded); once the fault is gone, a
second apply finishes the job with no duplicates.
"""

from __future__ import annotations

import re

import pytest

from provision.stacks.sandbox.faults import FaultConfig, Rule

pytestmark = pytest.mark.e2e

HASH = "[0-9a-f]{8}"

# (plan, the rule, a resource it makes fail (kind and name), the error's last words); each create makes several calls.
SCENARIOS = [
    (
        "rel-denied-s3",
        Rule(service="s3", method="PUT", path=rf"^/rel-denied-s3-test-web-site-{HASH}\?(.*&)?encryption",
             code="AccessDenied", status=403, message="Access Denied"),
        r"S3Bucket web-site of function web",
        r"S3 bucket rel-denied-s3-test-web-site-\w+: PutBucketEncryption: AccessDenied: Access Denied",
    ),
    (
        "rel-denied-kms",
        Rule(service="kms", operation="EnableKeyRotation", code="AccessDeniedException", status=400,
             message="User is not authorized to perform: kms:EnableKeyRotation"),
        # Every key of the plan is denied; which the engine reaches before it stops depends on its order.
        r"KmsKey [\w-]+ of function [\w-]+",
        r"EnableKeyRotation: AccessDeniedException: User is not authorized to perform: kms:EnableKeyRotation",
    ),
]


@pytest.mark.parametrize(("name", "rule", "resource", "error"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_a_denied_call_stops_apply_clearly_and_leaves_no_orphans(
    cli, write_plan, faults, inventory, state_ids, name: str, rule: Rule, resource: str, error: str
) -> None:
    plan = write_plan(name)
    faults.set(FaultConfig(rules=(rule,)))
    failed = cli("apply", str(plan), "--yes")
    denied = faults.clear()
    assert failed.exit_code == 1, failed.output
    assert denied["injected"] >= 1
    assert "Traceback" not in failed.output
    message = failed.output[failed.output.index("Error: "):]
    assert message.startswith(f"Error: The update of stack {name}/test failed: "), message
    # Each resource the rule hit is named with the AWS error.
    named = re.findall(rf"Creating ({resource}) failed: [^;]*{error}", message)
    assert 1 <= len(named) <= denied["injected"], message

    # The state holds what was made before the failure, and AWS holds exactly that.
    recorded = state_ids(plan)
    assert recorded, "resources created before the failure must be recorded"
    assert inventory(name) == recorded

    again = cli("apply", str(plan), "--yes")
    assert again.exit_code == 0, again.output
    assert f"{len(recorded)} unchanged." in again.stdout
    converged = state_ids(plan)
    assert len(converged) == 13
    assert inventory(name) == converged
    assert cli("plan", str(plan), "--detailed-exitcode").exit_code == 0
