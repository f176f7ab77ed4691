"""Where a plan is provisioned: the local `sandbox` (default) or real `aws`.

The only difference between them is the endpoint (AWS_ENDPOINT_URL) and the
credentials. Both travel in `Target.env`, which the engine passes to every
dynamic provider process, so provider code is plain boto3.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from provision.stacks.engine.statedir import StateDir
from provision.stacks.sandbox.lifecycle import Sandbox, SandboxInfo

SANDBOX = "sandbox"
AWS = "aws"
TARGETS = (SANDBOX, AWS)
# moto accepts any keys; fixed fake ones make it obvious no real account is involved.
SANDBOX_ACCESS_KEY = "sandbox"
SANDBOX_SECRET_KEY = "sandbox-secret"
# AWS_ENDPOINT_URL and its per-service forms (AWS_ENDPOINT_URL_S3, ...).
ENDPOINT_ENV_PREFIX = "AWS_ENDPOINT_URL"


class TargetError(Exception):
    """The target cannot be used (no credentials, no sandbox); the message says what to do."""


class SandboxNotRunning(TargetError):
    """The sandbox target was asked for without starting it, and none runs."""


@dataclass(frozen=True)
class Target:
    name: str
    region: str
    # AWS_* variables for the engine, the dynamic providers and our own boto3 calls.
    env: Mapping[str, str] = field(default_factory=dict)
    sandbox: SandboxInfo | None = None
    # What the user should know about how the target was set up.
    notes: tuple[str, ...] = ()

    @property
    def endpoint(self) -> str | None:
        return self.env.get("AWS_ENDPOINT_URL")

    def client(self, service: str, region: str | None = None) -> Any:
        """A boto3 client for this target, independent of the caller's os.environ (shared per shape)."""
        from provision.stacks.aws_clients import RETRY_CONFIG, shared_client

        region = region or self.region
        if self.sandbox is None:
            return shared_client(service, region, config=RETRY_CONFIG)
        return shared_client(
            service,
            region,
            endpoint_url=self.endpoint,
            credentials=(SANDBOX_ACCESS_KEY, SANDBOX_SECRET_KEY, None),
            config=RETRY_CONFIG,
            verify=self.env.get("AWS_CA_BUNDLE"),
        )

    def account_id(self) -> str:
        """The AWS account the target provisions into."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return self.client("sts").get_caller_identity()["Account"]
        except (BotoCoreError, ClientError) as exc:
            raise TargetError(f"Cannot identify the AWS account of target {self.name}: {exc}") from exc


def sandbox_target(info: SandboxInfo, region: str, config_dir: Path) -> Target:
    """The sandbox target: loopback endpoint, fake keys, the user's AWS config shut out."""
    config_file = _isolated_aws_config(config_dir)
    env = {
        "AWS_ENDPOINT_URL": info.url,
        "AWS_ACCESS_KEY_ID": SANDBOX_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SANDBOX_SECRET_KEY,
        "AWS_SESSION_TOKEN": "",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        # A real profile's settings (region, endpoints, SSO) must not leak into sandbox runs.
        "AWS_CONFIG_FILE": str(config_file),
        "AWS_SHARED_CREDENTIALS_FILE": str(config_file),
    }
    if info.ca_bundle:
        # The sandbox serves HTTPS with its own CA (TLS-only policies are really tested).
        env["AWS_CA_BUNDLE"] = info.ca_bundle
    # Service-specific endpoint variables beat AWS_ENDPOINT_URL; point them at the sandbox too.
    env.update({k: info.url for k in os.environ if k.startswith(ENDPOINT_ENV_PREFIX + "_")})
    return Target(name=SANDBOX, region=region, env=env, sandbox=info)


def aws_target(region: str) -> Target:
    """The real-AWS target; refuses to exist without credentials.

    A stray AWS_ENDPOINT_URL* from the shell (left by a mock or a local test)
    would silently send "AWS" calls elsewhere: they are dropped from this
    process, and so from the engine and providers it starts; `notes` says which.
    """
    import boto3
    from botocore.exceptions import BotoCoreError

    stray = sorted(k for k in os.environ if k.startswith(ENDPOINT_ENV_PREFIX))
    for name in stray:
        del os.environ[name]

    try:
        credentials = boto3.session.Session().get_credentials()
    except BotoCoreError as exc:
        raise TargetError(f"--target aws: the AWS configuration is unusable: {exc}") from exc
    if credentials is None:
        raise TargetError(
            "--target aws needs AWS credentials and none were found. Configure them the usual way "
            "(`aws configure`, `aws sso login` with AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY), or use the local sandbox with --target sandbox."
        )
    notes = (f"--target aws ignores {', '.join(stray)} from the environment: AWS is reached at its own endpoints.",)
    return Target(
        name=AWS, region=region, env={"AWS_REGION": region, "AWS_DEFAULT_REGION": region}, notes=notes if stray else ()
    )


def resolve_target(
    name: str,
    region: str,
    state: StateDir,
    *,
    start_sandbox: bool,
    on_sandbox_start: Callable[[SandboxInfo], None] | None = None,
) -> Target:
    """The target `name` for a plan in `region`.

    For the sandbox, `start_sandbox` starts one when none runs (plan, apply);
    otherwise a stopped sandbox is a TargetError.
    """
    if name == AWS:
        return aws_target(region)
    if name != SANDBOX:
        raise TargetError(f"Unknown target {name!r}; choose one of: {', '.join(TARGETS)}.")
    sandbox = Sandbox(state.sandbox_dir)
    info = sandbox.status()
    if info is None:
        if not start_sandbox:
            raise SandboxNotRunning("The sandbox is not running. Start it with `provision sandbox start`.")
        info, _ = sandbox.start()
        if on_sandbox_start is not None:
            on_sandbox_start(info)
    return sandbox_target(info, region, state.sandbox_dir)


def target_stack(
    target: Target,
    state: StateDir,
    *,
    project: str,
    stack: str,
    engine: Any,
    backend: str | None = None,
    program: Callable[[], None] | None = None,
) -> Any:
    """The StackOps of `project`/`stack` on `target`.

    Without `backend`, the sandbox keeps its Pulumi state inside its own
    directory (wiped with every instance) and aws in the state dir's backend/.
    """
    from provision.stacks.engine.operations import StackOps
    from provision.stacks.engine.workspace import stack_spec

    if target.sandbox is not None:
        pulumi_dir = Sandbox(state.sandbox_dir).pulumi_dir
        backend_dir, work_root = pulumi_dir / "backend", pulumi_dir / "work"
    else:
        backend_dir, work_root = state.backend_dir, None
    spec = stack_spec(
        project=project,
        stack=stack,
        engine=engine,
        state=state,
        target_env=target.env,
        default_backend_dir=backend_dir,
        backend_url=backend,
        work_root=None if backend else work_root,
    )
    instance = target.sandbox.instance_id if target.sandbox is not None else None
    return StackOps(spec, engine, program, sandbox_instance=instance)


def _isolated_aws_config(directory: Path) -> Path:
    # An empty default profile, plus the one AWS_PROFILE names so botocore does not reject it.
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "aws-config"
    sections = ["[default]"]
    profile = os.environ.get("AWS_PROFILE")
    if profile:
        sections += [f"[profile {profile}]", f"[{profile}]"]
    text = "\n".join(sections) + "\n"
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return path
