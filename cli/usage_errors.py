"""Problems with the input, raised below the command layer, reported as click reports misuse (exit 2)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import click

from provision.validation.errors import InputError, PolicyConfigRejected

POLICY_CONFIG_HINT = "'--policy-config'"


@contextmanager
def usage_errors() -> Iterator[None]:
    """Turn an InputError into click.UsageError, and a rejected policy config into a bad --policy-config."""
    try:
        yield
    except PolicyConfigRejected as error:
        raise click.BadParameter(str(error), param_hint=POLICY_CONFIG_HINT) from None
    except InputError as error:
        raise click.UsageError(str(error)) from None
