"""Fixtures shared across the suite. Add yours below; keep each one documented.

- `engine`: the real Pulumi engine (built into the cache on first use).
- `sandbox_state` / `sandbox`: one real sandbox server per run (per worker under
  xdist) in a temporary state directory, reset to a new empty instance for each
  test module; tests that provision pass `--state-dir sandbox_state.root` (or
  use the state dir directly). Tests using either must be marked `e2e`.
- `fake_aws_env`: an environment without any real AWS credentials or config.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path
from typing import Iterator

import pytest

from tests.sandboxes import IAM_PROPAGATION_SECONDS, sandbox_clients

REPO_ROOT = Path(__file__).resolve().parent.parent

# Variables that could point boto3 at a real account, profile or endpoint.
REAL_AWS_VARS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


@pytest.fixture(autouse=True)
def repository_doc_links(monkeypatch: pytest.MonkeyPatch) -> None:
    """Doc links from pyproject.toml's Repository, whatever PROVISION_DOCS_URL the caller has set."""
    monkeypatch.delenv("PROVISION_DOCS_URL", raising=False)


@pytest.fixture(scope="session", autouse=True)
def _one_botocore_loader() -> Iterator[None]:
    """Every new boto3 session (moto starts each mock with one) reads its service models from
    disk again, 0.1-0.4 s a client and most of a moto test's time. One loader, which keeps
    what it has read, serves every session of the run: the models never change within it."""
    import functools

    import botocore.session

    original = botocore.session.create_loader
    botocore.session.create_loader = functools.lru_cache(maxsize=None)(original)
    yield
    botocore.session.create_loader = original


@pytest.fixture(scope="session", autouse=True)
def _lean_moto_reset() -> Iterator[None]:
    """`mock_aws` resets moto at every start and stop, and moto's reset re-creates every backend
    before dropping it. The sandbox's fill drops them at once (stacks.sandbox.gaps.backend_reset)."""
    from moto.core.base_backend import BackendDict

    from provision.stacks.sandbox.gaps import backend_reset

    original = BackendDict.__dict__["reset"]
    backend_reset.install()
    yield
    BackendDict.reset = original


@pytest.fixture(scope="session", autouse=True)
def _no_default_amis() -> Iterator[None]:
    """As in the sandbox (stacks/sandbox/server.py): no AMIs loaded for each EC2 backend moto makes."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
        yield


@pytest.fixture
def fake_aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No AWS credentials anywhere: no env keys, no config files, no instance metadata."""
    for name in REAL_AWS_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(scope="session")
def engine():
    """The real Pulumi engine; builds it into the cache if `make engine` did not."""
    from provision.stacks.engine.install import ensure_engine

    return ensure_engine(print)


@pytest.fixture(scope="session")
def sandbox_state(tmp_path_factory: pytest.TempPathFactory):
    """A state directory (passphrase, Pulumi home, sandbox) for the run."""
    from provision.stacks.engine.statedir import StateDir

    return StateDir(tmp_path_factory.mktemp("provision-state")).ensure()


@pytest.fixture(scope="session")
def _sandbox_box(sandbox_state) -> Iterator:
    """The sandbox server of this run (of this worker, under xdist); stopped at the end."""
    from provision.stacks.sandbox import Sandbox

    box = Sandbox(sandbox_state.sandbox_dir)
    try:
        yield box
    finally:
        box.stop()


@pytest.fixture(scope="module")
def sandbox(_sandbox_box) -> Iterator:
    """A fresh, empty sandbox instance for each test module, whatever ran before it.

    One server per worker, reset in place between modules (a new instance id, every backend
    emptied, faults cleared, its Pulumi state wiped): no module sees another's resources or
    stacks, so a failure cannot cascade and the order of modules does not matter.
    """
    yield _sandbox_box.reset(iam_propagation_seconds=IAM_PROPAGATION_SECONDS)  # starts one when none runs


@pytest.fixture
def sandbox_client(sandbox):
    """boto3 clients against the session sandbox: `sandbox_client("s3", region=None)`."""
    return sandbox_clients(sandbox, default_region="eu-west-1")


# Fixtures that start the real engine or the sandbox server; a test using one is an e2e test.
E2E_FIXTURES = frozenset({"engine", "sandbox", "sandbox_state", "sandbox_client"})


@pytest.fixture(autouse=True)
def _e2e_marker_is_honest(request: pytest.FixtureRequest) -> None:
    """`-m "not e2e"` must never start the engine or the sandbox: unmarked users fail."""
    used = E2E_FIXTURES.intersection(request.fixturenames)
    if used and request.node.get_closest_marker("e2e") is None:
        pytest.fail(f"{request.node.nodeid} uses {', '.join(sorted(used))} but is not marked e2e", pytrace=False)


# --- Scheduling under pytest-xdist ---------------------------------------------------------
# `make test` runs `--dist loadgroup`. A module's e2e tests share its module fixtures (a
# sandbox, an applied stack), so they are one group and stay on one worker, as with
# `--dist loadfile`. An e2e module whose tests each stand alone sets SPREAD_ACROSS_WORKERS =
# True: its tests go to whichever worker is free, so a module of minute-long tests is not one
# worker's straggler while the other idles. Unit tests always go to whichever worker is free:
# their module fixtures cost little to make twice, and whole modules left the two uneven
# (make unit took 9% longer).
#
# Long tests go first: `long` ones, then the other e2e tests, then the unit tests, each in the
# random order pytest-randomly gave them. Minute-long tests started last would leave one worker
# running them while the other idles; seconds-long unit tests at the end even the two out.
def schedule_rank(item: pytest.Item) -> int:
    return 0 if item.get_closest_marker("long") else 1 if item.get_closest_marker("e2e") else 2


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups; pytest-randomly has shuffled them already
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=schedule_rank)  # stable: the random order stays within each rank
    for item in items:
        module = item.getparent(pytest.Module)
        unit = item.get_closest_marker("e2e") is None
        if module is None or unit or getattr(module.obj, "SPREAD_ACROSS_WORKERS", False):
            continue
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(module.nodeid))


# --- No orphans ------------------------------------------------------------------------------
# Every process the suite starts (CLI runs, engines, provider hosts, sandbox servers) descends
# from this pytest process. As a child subreaper it inherits the ones whose parents died, so
# at the end any child still alive is a process the suite left behind: a failure, not a leak.
PR_SET_CHILD_SUBREAPER = 36
ORPHAN_GRACE_SECONDS = 10


def _become_subreaper() -> bool:
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False  # not Linux: the check is skipped


def _live_children() -> list[tuple[int, str]]:
    me, found = os.getpid(), []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[1]) == me and fields[0] != "Z":
                found.append((int(entry.name), (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()[:200]))
        except (OSError, ValueError):
            continue  # exited meanwhile
    return found


def _reap_zombies() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def pytest_configure(config: pytest.Config) -> None:
    config._provision_subreaper = _become_subreaper()  # type: ignore[attr-defined]


def _xdist_controller(config: pytest.Config) -> bool:
    """Under pytest-xdist the controller's children are its workers: each worker checks its own."""
    return config.pluginmanager.getplugin("dsession") is not None


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not getattr(session.config, "_provision_subreaper", False) or _xdist_controller(session.config):
        return
    deadline = time.monotonic() + ORPHAN_GRACE_SECONDS
    while (left := _live_children()) and time.monotonic() < deadline:
        time.sleep(0.1)  # a provider host exits within a second of its engine (dynamic_host.exit_with_engine)
    _reap_zombies()
    if left:
        for pid, _ in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line("provision: the suite left processes running (killed now):", red=True)
            for pid, cmdline in left:
                reporter.write_line(f"  pid {pid}: {cmdline}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
