"""The state directory, its passphrase, and the engine's offline environment."""

from __future__ import annotations

import os
import stat
import sys
import threading
from pathlib import Path

import pytest

from provision.stacks.engine.locate import Engine
from provision.stacks.engine.statedir import StateDir, ensure_passphrase
from provision.stacks.engine.workspace import offline_env, stack_spec

ENGINE = Engine(binary=Path("/opt/engine/bin/pulumi"), version="3.259.0", source="cache", plugin_dirs=(Path("/opt/engine/bin"),))


def test_state_dir_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PROVISION_STATE_DIR", raising=False)
    assert StateDir.resolve().root == tmp_path / ".provision"
    monkeypatch.setenv("PROVISION_STATE_DIR", "from-env")
    assert StateDir.resolve().root == tmp_path / "from-env"
    assert StateDir.resolve("explicit").root == tmp_path / "explicit"


def test_passphrase_is_private_generated_once_and_ignored_by_git(tmp_path: Path) -> None:
    state = StateDir(tmp_path / "state").ensure()
    secret = state.passphrase_file.read_text()
    assert len(secret) >= 40
    assert stat.S_IMODE(state.passphrase_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(state.root.stat().st_mode) == 0o700
    assert (state.root / ".gitignore").read_text().splitlines()[-1] == "*"
    state.ensure()
    assert state.passphrase_file.read_text() == secret


def test_concurrent_first_runs_agree_on_one_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "passphrase"
    failures: list[BaseException] = []

    def first_run() -> None:
        try:
            ensure_passphrase(path)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=first_run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert len(path.read_text()) >= 40
    assert [p.name for p in tmp_path.iterdir()] == ["passphrase"]


def test_offline_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PATH", "/usr/bin")
    state = StateDir(tmp_path).ensure()
    env = offline_env(ENGINE, state, "file:///b")
    assert env == {
        "PATH": f"/opt/engine/bin{os.pathsep}/usr/bin",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_PYTHON_CMD": sys.executable,
        "PULUMI_HOME": str(state.pulumi_home),
        "PULUMI_BACKEND_URL": "file:///b",
        "PULUMI_CONFIG_PASSPHRASE_FILE": str(state.passphrase_file),
    }
    # The passphrase itself never travels in the environment.
    assert state.passphrase_file.read_text() not in "".join(env.values())


def test_a_passphrase_the_user_set_is_kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "shared-team-passphrase")
    assert "PULUMI_CONFIG_PASSPHRASE_FILE" not in offline_env(ENGINE, StateDir(tmp_path).ensure(), "file:///b")


def test_stack_spec_per_backend(tmp_path: Path) -> None:
    state = StateDir(tmp_path / "state")

    def spec(backend_url: str | None = None):
        return stack_spec(
            project="acme",
            stack="prod",
            engine=ENGINE,
            state=state,
            target_env={"AWS_REGION": "eu-west-1"},
            default_backend_dir=tmp_path / "b",
            backend_url=backend_url,
        )

    local = spec()
    assert (local.project, local.stack, local.backend_url) == ("acme", "prod", (tmp_path / "b").as_uri())
    assert local.env["AWS_REGION"] == "eu-west-1" and local.env["PULUMI_BACKEND_URL"] == local.backend_url
    s3 = spec("s3://state?region=eu-west-1")
    assert s3.backend_url == "s3://state?region=eu-west-1"
    # Each backend keeps its own stack settings (encryption salt), both under the state dir.
    assert s3.work_dir != local.work_dir
    assert s3.work_dir.parent.parent == local.work_dir.parent.parent == state.root / "work"
    explicit_file = spec((tmp_path / "not-yet").as_uri())
    assert Path(explicit_file.backend_url[len("file://") :]).is_dir()
