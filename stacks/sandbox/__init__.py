"""The local AWS sandbox: a moto server on loopback, with gap fills, per state directory.

`Sandbox(state.sandbox_dir)` starts, inspects, stops and resets it; see
stacks.sandbox.lifecycle. The server process is stacks.sandbox.server.
"""

from provision.stacks.sandbox.lifecycle import Sandbox, SandboxError, SandboxInfo

__all__ = ["Sandbox", "SandboxError", "SandboxInfo"]
