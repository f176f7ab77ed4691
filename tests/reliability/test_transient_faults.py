"""Transient AWS failures (throttling, 5xx) are retried with backoff: apply and destroy still succeed.

The sandbox's fault injector fails a fifth of all AWS calls, half with the
protocol's throttling error and half with 503, from a fixed seed. The real
engine and providers run through it; afterwards the stack has converged (a
plan shows no changes) and AWS holds exactly the resources the state lists.
"""

from __future__ import annotations

import pytest

from provision.stacks.sandbox.faults import FaultConfig

pytestmark = pytest.mark.e2e

PLAN = "rel-faults"
TRANSIENT_CODES = {"Throttling", "ThrottlingException", "SlowDown", "ServiceUnavailable", "RequestLimitExceeded", "Unavailable"}


def test_apply_and_destroy_succeed_while_a_fifth_of_aws_calls_fail(cli, write_plan, faults, inventory, state_ids) -> None:
    plan = write_plan(PLAN)

    faults.set(FaultConfig(rate=0.2, seed=20))
    applied = cli("apply", str(plan), "--yes")
    during_apply = faults.clear()
    assert applied.exit_code == 0, applied.output
    assert "Applied in " in applied.stdout and " 0 updated, 0 replaced, 0 deleted, 0 unchanged." in applied.stdout
    print(f"apply under 20% faults: {during_apply['requests']} AWS calls, {during_apply['injected']} faults retried: "
          f"{during_apply['byCode']}")
    assert during_apply["injected"] >= 10, during_apply  # faults really were injected, and retried
    assert set(during_apply["byCode"]) <= TRANSIENT_CODES
    assert len({call.split()[0] for call in during_apply["byCall"]}) >= 4, during_apply["byCall"]  # across services

    # Converged: nothing left to do, nothing duplicated or orphaned.
    again = cli("plan", str(plan), "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    deployed = state_ids(plan)
    assert len(deployed) == 13
    assert inventory(PLAN) == deployed

    faults.set(FaultConfig(rate=0.2, seed=21))
    destroyed = cli("destroy", str(plan), "--yes")
    during_destroy = faults.clear()
    assert destroyed.exit_code == 0, destroyed.output
    print(f"destroy under 20% faults: {during_destroy['injected']} faults retried")
    assert during_destroy["injected"] >= 3, during_destroy
    assert inventory(PLAN) == []
