"""The checks, one module per area; stacks.verify.registry says which run where."""
