"""Validation: a plan file through loading, schema, typed plan, cross-references, placement and policies.

Used by every command that reads a plan (validate, diff, plan, apply, ...). Free
of click: a problem in a plan is a finding, input that cannot be used at all an
InputError (validation.errors), which the command layer reports.
"""
