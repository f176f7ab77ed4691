"""Open the Pulumi stack of a plan: one stack per plan and environment.

Project = plan name, stack = environment. The engine runs offline: no update
checks, no plugin downloads, a passphrase secrets provider whose passphrase
lives in the state directory, and a `file://` backend unless `--backend`
says otherwise (e.g. `s3://bucket?region=...&endpoint=...&s3ForcePathStyle=true`).
"""

from __future__ import annotations

import os
import sys
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from provision.stacks.engine.locate import Engine
from provision.stacks.engine.statedir import StateDir

PulumiFn = Callable[[], None]


def offline_env(engine: Engine, state: StateDir, backend_url: str) -> dict[str, str]:
    """The engine's environment, before the target's AWS_* variables are added."""
    path = os.pathsep.join([*(str(d) for d in engine.plugin_dirs), os.environ.get("PATH", "")])
    env = {
        "PATH": path,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_PYTHON_CMD": sys.executable,
        "PULUMI_HOME": str(state.pulumi_home),
        "PULUMI_BACKEND_URL": backend_url,
    }
    if not (os.environ.get("PULUMI_CONFIG_PASSPHRASE") or os.environ.get("PULUMI_CONFIG_PASSPHRASE_FILE")):
        env["PULUMI_CONFIG_PASSPHRASE_FILE"] = str(state.passphrase_file)
    return env


@dataclass(frozen=True)
class StackSpec:
    """Where and how one plan's stack lives."""

    project: str  # the plan name
    stack: str  # the environment
    backend_url: str
    work_dir: Path  # Pulumi.yaml and the stack settings (encryption salt) for this backend
    env: Mapping[str, str]  # the full engine env: offline settings plus the target's AWS_*


def file_backend(directory: Path) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    return directory.absolute().as_uri()


def stack_spec(
    *,
    project: str,
    stack: str,
    engine: Engine,
    state: StateDir,
    target_env: Mapping[str, str],
    default_backend_dir: Path,
    backend_url: str | None = None,
    work_root: Path | None = None,
) -> StackSpec:
    """Assemble the stack's backend, work dir and env.

    Without `backend_url` the backend is a file backend in `default_backend_dir`.
    `work_root` places the work dir (the sandbox keeps its own, wiped with it).
    """
    state.ensure()
    url = backend_url or file_backend(default_backend_dir)
    if url.startswith("file://"):
        Path(urllib.parse.urlparse(url).path).mkdir(parents=True, exist_ok=True)
    work_dir = (work_root or state.work_dir(url)) / project
    work_dir.mkdir(parents=True, exist_ok=True)
    env = {**offline_env(engine, state, url), **target_env}
    return StackSpec(project=project, stack=stack, backend_url=url, work_dir=work_dir, env=env)


def _workspace_options(spec: StackSpec, engine: Engine):
    from pulumi import automation as auto

    return auto.LocalWorkspaceOptions(
        work_dir=str(spec.work_dir),
        pulumi_home=spec.env["PULUMI_HOME"],
        pulumi_command=pulumi_command(engine),
        env_vars=dict(spec.env),
        secrets_provider="passphrase",
        project_settings=auto.ProjectSettings(
            name=spec.project, runtime="python", backend=auto.ProjectBackend(url=spec.backend_url)
        ),
    )


def pulumi_command(engine: Engine):
    """The automation API's handle on our engine binary (each command in its own session: see interrupt)."""
    from provision.stacks.engine.interrupt import EngineCommand

    return EngineCommand(str(engine.binary), engine.version)


def open_stack(spec: StackSpec, engine: Engine, program: PulumiFn):
    """Select the stack, creating it on first use."""
    from pulumi import automation as auto

    return auto.create_or_select_stack(
        stack_name=spec.stack, project_name=spec.project, program=program, opts=_workspace_options(spec, engine)
    )


def existing_stack(spec: StackSpec, engine: Engine, program: PulumiFn | None = None):
    """The stack if it exists, else None (status and destroy never create one)."""
    from pulumi import automation as auto

    try:
        return auto.select_stack(
            stack_name=spec.stack,
            project_name=spec.project,
            program=program or (lambda: None),
            opts=_workspace_options(spec, engine),
        )
    except auto.StackNotFoundError:
        return None


def export_deployment(stack) -> dict | None:
    """The stack's exported deployment, its secrets left encrypted.

    The automation API's export_stack decrypts every secret (--show-secrets),
    which derives the passphrase key: 0.15 s of CPU, and plaintext in memory
    that nothing here reads. Secret values stay Pulumi's ciphertext envelopes.
    """
    import json

    workspace = stack.workspace
    args = ["stack", "export", "--stack", stack.name]
    result = workspace.pulumi_command.run(args, workspace.work_dir, dict(workspace.env_vars))
    return json.loads(result.stdout).get("deployment")
