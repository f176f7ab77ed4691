"""The checks, one module per area; each provider names the ones its kind gets (VERIFY_CHECKS),
stacks.verify.registry lists them all."""
