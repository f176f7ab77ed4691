"""What an example's run asserts beyond the promise every plan keeps (tests/generated/lifecycle.py).

Each check gets the example as its run applied it, before destroy: one apply
serves the promise and these checks. `ALSO_CHECKED` maps an example's file
stem to its check.
"""

from __future__ import annotations

import json

# Every check a plan with hosting, an immutable backup, all four security services and a vendor exercises.
SAAS_CHECKS = {
    "plan.deployed", "s3.encryption", "s3.public-access-block", "s3.versioning", "s3.tls-only", "tags", "kms.rotation",
    "sns.encryption", "cloudtrail.logging", "cloudtrail.log-validation", "cloudtrail.multi-region", "cloudtrail.kms",
    "guardduty.enabled", "securityhub.enabled", "securityhub.standards", "config.recording", "backup.vault-key",
    "backup.vault-lock", "backup.vault-guard", "iam.vendor-trust", "iam.session-duration", "iam.permissions-boundary",
    "iam.least-privilege", "access.live", "backup.plan-schedule", "backup.plan-retention", "backup.plan-copy",
}  # fmt: skip


def _cli(run, command: str, *options: str):
    return run.invoke(command, str(run.path), *options)


def _verify_json(run) -> tuple[int, list[dict]]:
    result = _cli(run, "verify", "--format", "json")
    return result.exit_code, json.loads(result.stdout)["results"]


def _failures(results: list[dict]) -> list[tuple[str, str, str]]:
    return [(r["check"], r["resource"], r["detail"]) for r in results if not r["passed"]]


def verify_names_what_was_weakened(run) -> None:
    """saas-startup: verify passes every check; a resource weakened through boto3 behind the engine's
    back (the site bucket's encryption, the vendor role's permissions boundary) fails, named by ARN."""
    code, results = _verify_json(run)
    assert (code, _failures(results)) == (0, [])
    assert {r["check"] for r in results} == SAAS_CHECKS
    text = _cli(run, "verify")
    assert text.exit_code == 0, text.output
    assert text.stdout.splitlines()[-1] == f"Verified brightdesk-prod/prod on target sandbox: {len(results)} checks, all passed."

    outputs = json.loads(_cli(run, "status", "--format", "json").stdout)["outputs"]
    site, role_arn = outputs["web"]["bucket_name"], outputs["vendorRoles"]["nightwatch"]
    region = run.document["spec"]["region"]
    run.client("s3", region).delete_bucket_encryption(Bucket=site)
    weakened = _cli(run, "verify")
    assert weakened.exit_code == 1
    assert [" ".join(line.split()) for line in weakened.stdout.splitlines() if line.startswith("FAIL")] == [
        f"FAIL s3.encryption arn:aws:s3:::{site} no default encryption configured"
    ]
    assert f"Error: 1 of {len(results)} checks failed for brightdesk-prod/prod on target sandbox." in weakened.stderr

    role_name = role_arn.rsplit("/", 1)[-1]
    run.client("iam", region).delete_role_permissions_boundary(RoleName=role_name)
    code, results = _verify_json(run)
    assert (code, _failures(results)) == (1, [
        ("s3.encryption", f"arn:aws:s3:::{site}", "no default encryption configured"),
        ("iam.permissions-boundary", role_arn, "no permissions boundary attached"),
        ("access.live", "vendor nightwatch", f"nightwatch: role {role_name}: permissions boundary missing"),
    ])  # fmt: skip


def verify_covers_all_six_function_types(run) -> None:
    """eu-fintech has every function type: verify checks each function and vendor on what was provisioned."""
    code, results = _verify_json(run)
    assert (code, _failures(results)) == (0, [])
    deployed = {r["resource"] for r in results if r["check"] == "plan.deployed"}
    assert deployed == {f"function {f}" for f in ("portal", "payments-net", "soc", "kyc-exchange", "ops", "backups")} | {
        f"provider {p}" for p in ("wachturm", "netzwerk", "opsbridge", "verifyco")
    }
    assert {"logs.encryption", "iam.least-privilege", "backup.plan-schedule", "network.flow-log-retention"} <= {
        r["check"] for r in results
    }


ALSO_CHECKED = {"saas-startup": verify_names_what_was_weakened, "eu-fintech": verify_covers_all_six_function_types}
