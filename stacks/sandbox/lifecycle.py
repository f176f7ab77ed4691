"""Start, inspect, stop and reset the sandbox server of one state directory.

moto keeps everything in memory, so the sandbox's Pulumi state lives and dies
with the server process: the default sandbox backend sits in `pulumi/` under
the sandbox directory and is wiped whenever a server stops or a new one
starts. Each server gets an instance id; stacks record it (see
stacks.engine.consistency) so a state kept elsewhere (`--backend`) can never
silently describe another instance's resources.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

SERVER_MODULE = "provision.stacks.sandbox.server"
# Bounds, not waits: start-up returns as soon as the server answers, and fails at once if it
# exits. Loading the managed IAM policies takes seconds on an idle machine, minutes on a busy
# one; a preset's calls come on top.
START_TIMEOUT = 300.0
PRESET_TIMEOUT = 420.0
STOP_TIMEOUT = 10.0


class SandboxError(Exception):
    """The sandbox could not be started or stopped; the message says why."""


@dataclass(frozen=True)
class SandboxInfo:
    pid: int
    port: int
    instance_id: str
    started_at: str
    host: str = "127.0.0.1"
    preset: str | None = None
    iam_propagation_seconds: float | None = None
    scheme: str = "http"  # the server answers "https" when it serves TLS (it always does)
    ca_bundle: str | None = None  # the CA certificate clients must trust (AWS_CA_BUNDLE)

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"


class Sandbox:
    """The sandbox of one state directory (`<state>/sandbox`)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def info_file(self) -> Path:
        return self.root / "server.json"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    @property
    def tls_dir(self) -> Path:
        """The sandbox's CA and server certificate (kept across instances; the CA key is never kept)."""
        return self.root / "tls"

    @property
    def pulumi_dir(self) -> Path:
        """The sandbox target's Pulumi backend and work dirs; wiped with every instance."""
        return self.root / "pulumi"

    def status(self) -> SandboxInfo | None:
        """The running, healthy sandbox, or None."""
        info = self._read_info()
        if info is None or not _is_our_server(info.pid) or not healthy(info.url, info.ca_bundle):
            return None
        return info

    def start(self, timeout: float | None = None, preset: str | None = None,
              iam_propagation_seconds: float | None = None) -> tuple[SandboxInfo, bool]:
        """The running sandbox, starting one if needed; the flag says whether it is new.

        `preset` (see stacks.sandbox.presets) and `iam_propagation_seconds`
        apply to a new instance; a running one with another preset is an error.
        """
        running = self.status()
        if running is not None:
            if preset is not None and running.preset != preset:
                raise SandboxError(
                    f"The sandbox already runs with preset {running.preset or 'none'}; "
                    f"`provision sandbox reset --preset {preset}` starts a fresh one with {preset}."
                )
            return running, False
        self.stop()  # clears a dead or unhealthy leftover and its stale state
        self.root.mkdir(parents=True, exist_ok=True)
        instance_id = secrets.token_hex(6)
        from provision.stacks.sandbox.tls import ensure_certificates

        tls = ensure_certificates(self.tls_dir)
        command = [sys.executable, "-m", SERVER_MODULE, "--info", str(self.info_file), "--instance-id", instance_id,
                   "--tls-cert", str(tls.cert), "--tls-key", str(tls.key)]
        if preset:
            command += ["--preset", preset]
        if iam_propagation_seconds is not None:
            command += ["--iam-propagation-seconds", str(iam_propagation_seconds)]
        with open(self.log_file, "wb") as log:  # one log per instance
            proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # outlives the CLI; Ctrl-C in the terminal does not kill it
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        timeout = timeout if timeout is not None else PRESET_TIMEOUT if preset else START_TIMEOUT
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SandboxError(
                    f"The sandbox server exited during start-up (exit {proc.returncode}); "
                    f"see {self.log_file}:\n{_tail(self.log_file)}"
                )
            info = self._read_info()
            if info is not None and info.pid == proc.pid and healthy(info.url, info.ca_bundle):
                return info, True
            time.sleep(0.1)
        _terminate(proc.pid, STOP_TIMEOUT)
        raise SandboxError(f"The sandbox server did not become healthy within {timeout:.0f}s; see {self.log_file}.")

    def stop(self, timeout: float = STOP_TIMEOUT) -> SandboxInfo | None:
        """Stop the server (SIGTERM, then SIGKILL) and wipe its Pulumi state; returns what was stopped."""
        info = self._read_info()
        stopped = None
        if info is not None and _is_our_server(info.pid):
            _terminate(info.pid, timeout)
            stopped = info
        self.info_file.unlink(missing_ok=True)
        shutil.rmtree(self.pulumi_dir, ignore_errors=True)
        return stopped

    def reset(self, preset: str | None = None, iam_propagation_seconds: float | None = None) -> SandboxInfo:
        """A fresh sandbox (a new instance, no Pulumi state), empty or as `preset` describes.

        A running server without a preset is reset in place (stacks.sandbox.reset), in a
        fraction of a second; otherwise a new server starts.
        """
        running = self.status()
        if running is not None and preset is None and running.preset is None:
            fresh = self._reset_in_place(running, iam_propagation_seconds)
            if fresh is not None:
                return fresh
        self.stop()
        info, _ = self.start(preset=preset, iam_propagation_seconds=iam_propagation_seconds)
        return info

    def _reset_in_place(self, running: SandboxInfo, iam_propagation_seconds: float | None) -> SandboxInfo | None:
        """The same server as a new instance; None when it did not answer as one (then it is restarted)."""
        import ssl

        from provision.stacks.sandbox.access import settings_from_env
        from provision.stacks.sandbox.reset import RESET_PATH

        if iam_propagation_seconds is None:  # what a new server would take from this environment
            iam_propagation_seconds = settings_from_env().iam_propagation_seconds
        instance_id = secrets.token_hex(6)
        body = json.dumps({"instanceId": instance_id, "iamPropagationSeconds": iam_propagation_seconds}).encode()
        request = urllib.request.Request(f"{running.url}{RESET_PATH}", data=body, method="POST")
        context = ssl.create_default_context(cafile=running.ca_bundle) if running.ca_bundle else None
        shutil.rmtree(self.pulumi_dir, ignore_errors=True)  # the old instance's stacks
        try:
            with urllib.request.urlopen(request, timeout=START_TIMEOUT, context=context) as answer:
                answer.read()
        except (urllib.error.URLError, OSError, ValueError):
            return None
        fresh = self._read_info()
        return fresh if fresh is not None and fresh.instance_id == instance_id else None

    def _read_info(self) -> SandboxInfo | None:
        try:
            data = json.loads(self.info_file.read_text())
            return SandboxInfo(
                pid=int(data["pid"]),
                port=int(data["port"]),
                instance_id=str(data["instanceId"]),
                started_at=str(data["startedAt"]),
                preset=data.get("preset"),
                iam_propagation_seconds=data.get("iamPropagationSeconds"),
                scheme=str(data.get("scheme", "http")),
                ca_bundle=str(self.tls_dir / "ca.pem") if data.get("scheme") == "https" else None,
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None


def healthy(url: str, ca_bundle: str | None = None, timeout: float = 2.0) -> bool:
    """True when a moto server answers at `url` (over HTTPS, with a certificate `ca_bundle` vouches for)."""
    import ssl

    context = ssl.create_default_context(cafile=ca_bundle) if ca_bundle else None
    try:
        with urllib.request.urlopen(f"{url}/moto-api/config", timeout=timeout, context=context) as resp:
            return 200 <= resp.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _is_our_server(pid: int) -> bool:
    """The pid is alive and, where /proc tells, runs our server module (pids get reused)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False
    if _zombie(pid):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists():
        try:
            return SERVER_MODULE in cmdline.read_bytes().decode(errors="replace")
        except OSError:
            return False
    return True


def _terminate(pid: int, timeout: float) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    while _alive(pid):
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    # Reap it if it is our child (a zombie still answers kill 0).
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """Exited but not yet reaped by its parent, which may never come (a container's PID 1, a subreaper)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2 :].startswith("Z")


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
