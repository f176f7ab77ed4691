"""Audit the live AWS resources of a plan's stack against what the plan promises.

The sandbox enforces only what AWS services check for themselves (roles they
assume, key and topic policies they use, TLS-only buckets), not what a vendor's
role may do, so the security properties of a deployment are proved here, by reading every resource back through boto3:
encryption, public access, TLS-only policies, key rotation, detection
services, backup locks, vendor role trust and privileges, and tags.

- `inventory`: the plan's resources from an exported Pulumi deployment;
- `checks/`: one small check function per property and resource kind;
- `registry`: which checks run for which kind of resource;
- `runner`: runs them, turning AWS errors into failed results.
"""
