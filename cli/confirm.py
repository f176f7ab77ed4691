"""Asking before apply and destroy change anything, and saying what to do when nobody can answer."""

from __future__ import annotations

import sys

import click


def confirm(question: str, *, declined: str, command: str) -> None:
    """Ask `question` on the terminal; click.ClickException (exit 1) unless the answer is yes.

    Without a terminal (CI, a pipe at its end) click would print a bare
    "Aborted!": say instead that there is nobody to ask and how to go on.
    """
    try:
        agreed = click.confirm(question, default=False, err=True)
    except click.Abort:
        if _stdin_is_terminal():
            raise  # Ctrl-C or Ctrl-D at the prompt: the user chose to stop
        click.echo("", err=True)  # end the unanswered prompt's line
        raise click.ClickException(no_terminal(command, declined)) from None
    if not agreed:
        raise click.ClickException(declined)


def no_terminal(command: str, declined: str) -> str:
    return (
        f"There is no terminal to confirm on (standard input is not a terminal and gave no answer). {declined} "
        f"Pass --yes to {command} without asking, e.g. in CI."
    )


def _stdin_is_terminal() -> bool:
    return sys.stdin.isatty()
