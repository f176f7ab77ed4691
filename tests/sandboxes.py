"""How the suite's sandboxes are started.

A new role stays invisible to services for `IAM_PROPAGATION_SECONDS` in the
suite's sandboxes; users get the 5 s default. Any positive delay still sends
every dependant through the providers' IAM retry, because dependants are
created milliseconds after their role: a shorter delay only waits less.
"""

IAM_PROPAGATION_SECONDS = 1.0
