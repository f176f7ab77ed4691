"""Vendor access: what each external vendor can reach, derived from the policy
builders the stacks use (planned, offline) or read from the target's IAM (live)."""
