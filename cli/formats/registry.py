"""The output formats by name: what `--format` offers and how to build each one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from provision.cli.formats.base import Formatter
from provision.cli.formats.github import GithubFormatter
from provision.cli.formats.json import JsonFormatter
from provision.cli.formats.junit import JunitFormatter
from provision.cli.formats.markdown import MarkdownFormatter
from provision.cli.formats.sarif import SarifFormatter
from provision.cli.formats.text import TextFormatter


@dataclass(frozen=True)
class Options:
    """Settings a run may give; each format uses the ones that mean something to it."""

    color: bool = False  # text: ANSI colour
    quiet: bool = False  # text: the summary line only
    base_dir: Path | None = None  # sarif: what locations are relative to (default: cwd)


FORMATS: dict[str, Callable[[Options], Formatter]] = {
    "text": lambda options: TextFormatter(color=options.color, quiet=options.quiet),
    "json": lambda options: JsonFormatter(),
    "sarif": lambda options: SarifFormatter(base_dir=options.base_dir),
    "junit": lambda options: JunitFormatter(),
    "github": lambda options: GithubFormatter(),
    "markdown": lambda options: MarkdownFormatter(),
}


def names() -> list[str]:
    return list(FORMATS)


def create(name: str, options: Options = Options()) -> Formatter:
    """The formatter called `name`; KeyError if there is none."""
    return FORMATS[name](options)
