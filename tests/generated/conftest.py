"""Fixtures of the generated-plan tests.

- `own_sandbox` (module): a sandbox server and state directory of the module's
  own, so that no other module's leftovers (or order) change what it sees.
- `plan_runner`: `plan_runner(document)` gives a PlanRun (tests/generated/lifecycle.py)
  that drives the CLI in process against `own_sandbox`, with the vendors'
  ExternalIds set in the environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pytest

from tests.sandboxes import IAM_PROPAGATION_SECONDS, sandbox_clients


@pytest.fixture(scope="module")
def own_sandbox(tmp_path_factory: pytest.TempPathFactory, engine) -> Iterator[tuple]:
    from provision.stacks.engine.statedir import StateDir
    from provision.stacks.sandbox import Sandbox

    state = StateDir(tmp_path_factory.mktemp("generated-state")).ensure()
    box = Sandbox(state.sandbox_dir)
    info, _ = box.start(iam_propagation_seconds=IAM_PROPAGATION_SECONDS)
    try:
        yield state, info
    finally:
        box.stop()


@pytest.fixture(scope="module")
def own_client(own_sandbox) -> Callable:
    """`own_client(service, region)`: a boto3 client against the module's sandbox."""
    _, info = own_sandbox
    return sandbox_clients(info)


@pytest.fixture
def plan_runner(own_sandbox, own_client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable:
    from tests.generated.lifecycle import PlanRun

    state, _ = own_sandbox

    def make(document: dict) -> PlanRun:
        return PlanRun(document, directory=tmp_path, state_dir=Path(state.root), client=own_client, monkeypatch=monkeypatch)

    return make
