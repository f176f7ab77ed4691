"""Validation: a plan file through loading, schema, typed plan, cross-references, placement and policies.

Used by every command that reads a plan (validate, diff, plan, apply, ...).
"""
