"""The output formats by name: what `--format` offers and how to build each one."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from provision.cli.formats.base import Formatter


@dataclass(frozen=True)
class Options:
    """Settings a run may give; each format uses the ones that mean something to it."""

    color: bool = False  # text: ANSI colour
    quiet: bool = False  # text: the summary line only
    base_dir: Path | None = None  # sarif: what locations are relative to (default: cwd)


# name -> (module under provision.cli.formats, class, its keyword arguments from the Options).
# A module is imported only when its format is asked for: a validate run pays for the one it
# prints (sarif and junit alone would add ~35 ms to every cold start).
FORMATS: dict[str, tuple[str, str, Callable[[Options], dict[str, Any]]]] = {
    "text": ("text", "TextFormatter", lambda options: {"color": options.color, "quiet": options.quiet}),
    "json": ("json", "JsonFormatter", lambda options: {}),
    "sarif": ("sarif", "SarifFormatter", lambda options: {"base_dir": options.base_dir}),
    "junit": ("junit", "JunitFormatter", lambda options: {}),
    "github": ("github", "GithubFormatter", lambda options: {}),
    "markdown": ("markdown", "MarkdownFormatter", lambda options: {}),
}


def names() -> list[str]:
    return list(FORMATS)


def create(name: str, options: Options = Options()) -> Formatter:
    """The formatter called `name`; KeyError if there is none."""
    module, cls, arguments = FORMATS[name]
    formatter = getattr(importlib.import_module(f"provision.cli.formats.{module}"), cls)
    return formatter(**arguments(options))
