"""The layering of ARCHITECTURE.md, checked on the imports of the source tree (read with ast, nothing imported).

- click belongs to the command layer: the commands and the few CLI helpers that
  handle the terminal. Validation and the review domain raise plain exceptions
  that the commands report.
- A command never imports another command: what two commands share lives in a
  CLI helper (cli/stack_render.py, cli/stack_options.py, ...).
- Nothing below the CLI imports it.
"""

from __future__ import annotations

import ast
import functools
import os
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]  # the `provision` package
NOT_SOURCE = {"tests", "bench", "docs", "examples", "build", "dist", "__pycache__"}

COMMANDS = "cli.commands"
# Besides the modules under cli/commands, the only modules that may import click: the CLI
# helpers that deal with the terminal (its entry point, options, confirmation, error reporting).
CLICK_HELPERS = {
    "cli.main",  # the command group
    "cli.stack_options",  # --target/--state-dir/--backend, plan loading and errors of plan/apply/...
    "cli.confirm",  # the confirmation prompt
    "cli.usage_errors",  # InputError -> click.UsageError / BadParameter
}


def modules(root: Path = ROOT) -> Iterator[tuple[str, Path]]:
    """(dotted name below `provision`, path) of every source module of the package."""
    paths = []
    for directory, subdirectories, files in os.walk(root):
        # Pruned while walking: a checkout's .venv alone holds tens of thousands of files.
        top = Path(directory) == root
        subdirectories[:] = [d for d in subdirectories if not (
            d.startswith(".") or d.endswith(".egg-info") or (top and d in NOT_SOURCE))]
        paths.extend(Path(directory, name) for name in files if name.endswith(".py"))
    for path in sorted(paths):
        dotted = path.relative_to(root).with_suffix("").parts
        yield ".".join(dotted[:-1] if dotted[-1] == "__init__" else dotted), path  # "" for the package itself


@functools.cache  # each test reads the whole tree; the files do not change within a run
def imports(name: str, path: Path) -> frozenset[str]:
    """Every module `name` imports, anywhere in it (function-level imports too), as absolute names."""
    parts = name.split(".") if name else []
    package = parts if path.name == "__init__.py" else parts[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the package, as provision.<package>...
                base = ".".join(["provision", *package[: len(package) - node.level + 1]])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)  # `from pkg import submodule`
    return frozenset(found)


def is_command(name: str) -> bool:
    return name == COMMANDS or name.startswith(COMMANDS + ".")


def click_importers(root: Path = ROOT) -> set[str]:
    return {name for name, path in modules(root)
            if any(m == "click" or m.startswith("click.") for m in imports(name, path))}


def commands_importing_commands(root: Path = ROOT) -> dict[str, set[str]]:
    found = {}
    for name, path in modules(root):
        if not is_command(name) or name == COMMANDS:
            continue
        others = {".".join(m.split(".")[1:4]) for m in imports(name, path)  # the command module, not its names
                  if m.startswith(f"provision.{COMMANDS}.")}
        if others:
            found[name] = others
    return found


def below_cli_importing_cli(root: Path = ROOT) -> dict[str, set[str]]:
    found = {}
    for name, path in modules(root):
        if name == "cli" or name.startswith("cli.") or name in ("", "__main__"):
            continue  # the root package and `python -m provision` start the CLI
        used = {m for m in imports(name, path) if m == "provision.cli" or m.startswith("provision.cli.")}
        if used:
            found[name] = used
    return found


def test_only_the_command_layer_imports_click() -> None:
    unexpected = sorted(n for n in click_importers() if not is_command(n) and n not in CLICK_HELPERS)
    assert not unexpected, (
        f"click is imported by {', '.join(unexpected)}. Only cli/commands/* and the CLI helpers "
        f"{sorted(CLICK_HELPERS)} "
        "may: raise a plain exception (e.g. a validation.errors.InputError) and let the command report it, "
        "or, for a new terminal helper under cli/, add it to CLICK_HELPERS (and to ARCHITECTURE.md)."
    )


def test_the_click_helpers_listed_exist() -> None:
    names = {name for name, _ in modules()}
    assert CLICK_HELPERS <= names, f"no such modules: {sorted(CLICK_HELPERS - names)}: update CLICK_HELPERS"


def test_no_command_imports_another_command() -> None:
    found = commands_importing_commands()
    assert not found, "commands import other commands (move what they share to a CLI helper): " + "; ".join(
        f"{name} imports {', '.join(sorted(others))}" for name, others in sorted(found.items()))


def test_nothing_below_the_cli_imports_it() -> None:
    found = below_cli_importing_cli()
    assert not found, "modules below the CLI import it: " + "; ".join(
        f"{name} imports {', '.join(sorted(used))}" for name, used in sorted(found.items()))


def test_the_checks_see_the_tree() -> None:
    # A scan that found nothing would pass every test above.
    names = {name for name, _ in modules()}
    assert {"cli.main", "cli.commands.validate", "validation.pipeline", "cli.review.review", "stacks.program"} <= names
    assert "cli.commands.validate" in click_importers()


OFFLINE_COMMANDS = [
    ["validate", "examples/saas-startup.yaml"],
    ["diff", "examples/saas-startup.yaml", "examples/eu-fintech.yaml"],
    ["access", "examples/eu-fintech.yaml"],
    ["cost", "examples/us-healthcare.yaml"],
]


def test_offline_commands_never_load_the_engine_sdk() -> None:
    """validate, diff, access and cost run in CI on every pull request: they stay clear of the engine's SDK
    and of boto3 (loading pulumi made diff three times slower)."""
    import subprocess
    import sys

    probe = (
        "import sys\nfrom click.testing import CliRunner\nfrom provision.cli.main import cli\n"
        "for args in {commands!r}:\n    CliRunner().invoke(cli, args)\n"
        "print(sorted(m for m in ('pulumi', 'boto3') if m in sys.modules))\n"
    ).format(commands=OFFLINE_COMMANDS)
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]", loaded.stderr
