"""What goes wrong with the input itself, before any check can run.

Validation and the review domain raise these; the command layer reports them
as usage errors (exit 2), so neither needs to know how a command line works.
"""

from __future__ import annotations


class InputError(Exception):
    """What the user named cannot be used: a path naming no plan, a source that cannot be read, an invalid plan."""


class PolicyConfigRejected(InputError):
    """The policy config given or found is invalid, or resolves outside its working tree."""
