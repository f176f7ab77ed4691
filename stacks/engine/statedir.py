"""The per-project state directory: `.provision/` in the current directory.

Override it with `--state-dir` or PROVISION_STATE_DIR. Layout:

    .provision/
      passphrase        secrets passphrase, generated once, mode 0600, never printed
      pulumi-home/      PULUMI_HOME of the engine (workspaces, locks)
      backend/          the file:// Pulumi backend of target aws (unless --backend)
      work/<hash>/      Pulumi project files per backend (stack config, encryption salt)
      sandbox/          the local AWS sandbox: server.json, server.log, and
        pulumi/         its Pulumi backend and work dirs, wiped with every new sandbox

The directory holds state and a secret: it gets a `.gitignore` of `*`.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

DEFAULT_NAME = ".provision"
STATE_DIR_ENV = "PROVISION_STATE_DIR"


@dataclass(frozen=True)
class StateDir:
    root: Path

    @classmethod
    def resolve(cls, explicit: str | os.PathLike | None = None) -> "StateDir":
        """`explicit`, else $PROVISION_STATE_DIR, else ./.provision (absolute)."""
        chosen = explicit or os.environ.get(STATE_DIR_ENV) or DEFAULT_NAME
        return cls(Path(chosen).expanduser().absolute())

    @property
    def passphrase_file(self) -> Path:
        return self.root / "passphrase"

    @property
    def pulumi_home(self) -> Path:
        return self.root / "pulumi-home"

    @property
    def backend_dir(self) -> Path:
        return self.root / "backend"

    @property
    def sandbox_dir(self) -> Path:
        return self.root / "sandbox"

    def work_dir(self, backend_url: str) -> Path:
        """Project files for one backend; each backend keeps its own stack settings."""
        digest = hashlib.sha256(backend_url.encode()).hexdigest()[:12]
        return self.root / "work" / digest

    def ensure(self) -> "StateDir":
        """Create the directory (private, git-ignored) and its passphrase."""
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        ignore = self.root / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# provision state: Pulumi backends and a secrets passphrase\n*\n")
        self.pulumi_home.mkdir(exist_ok=True)
        ensure_passphrase(self.passphrase_file)
        return self


def ensure_passphrase(path: Path) -> Path:
    """Generate the passphrase once (0600); concurrent callers all end up with the same one."""
    if path.exists():
        return path
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(32))
    try:
        os.link(tmp, path)  # atomic and never overwrites: the first writer wins
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path
