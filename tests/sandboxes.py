"""How the suite's sandboxes are started.

A new role stays invisible to services for `IAM_PROPAGATION_SECONDS` in the
suite's sandboxes; users get the 5 s default. Any positive delay still sends
every dependant through the providers' IAM retry, because dependants are
created milliseconds after their role: a shorter delay only waits less.
"""

IAM_PROPAGATION_SECONDS = 1.0

# The keys the CLI reaches the sandbox with (moto takes any).
SANDBOX_CREDENTIALS = ("sandbox", "sandbox-secret", None)


def sandbox_clients(info, default_region: str = "us-east-1"):
    """`make(service, region=default_region)`: boto3 clients against the sandbox `info` describes.

    One client per shape, shared: a new boto3 session and client cost about 30 ms of CPU.
    """
    from provision.stacks.aws_clients import shared_client

    def make(service: str, region: str = default_region):
        return shared_client(
            service, region, endpoint_url=info.url, credentials=SANDBOX_CREDENTIALS, verify=info.ca_bundle
        )

    return make
