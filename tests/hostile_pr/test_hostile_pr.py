"""Hostile pull requests against a real git repository, driven through the CLI as CI runs it.

Each test opens a pull request that tries one hole: it must be blocked (a
non-zero exit of the CI job) or neutralised, and the output must say why.
"""

from __future__ import annotations

import json

import pytest

from provision.policies.registry import POLICIES

# Three mandatory findings under the default policies: a backup copy outside the residency
# (PRV-RES-001), SOC alerts to the vendor only (PRV-SEC-003), no contract end (PRV-VEN-002).
VIOLATIONS = (
    ("copyToRegion: eu-central-1", "copyToRegion: us-east-1"),
    (", security@brightdesk.example]", "]"),
    ("      contractEnds: 2028-03-31\n", ""),
)
EVERYTHING_OFF = "policies:\n" + "".join(f"  {p.id}: {{enforcement: disabled}}\n" for p in POLICIES)


def violating(plan: str) -> str:
    for old, new in VIOLATIONS:
        assert old in plan
        plan = plan.replace(old, new)
    return plan


# -- 1. a policy config in the pull request cannot switch governance off -----------------


def test_validate_names_the_config_the_pull_request_added(pr, ci, base_plan, commands) -> None:
    pr({"plans/prod.yaml": violating(base_plan), "plans/provision-policies.yaml": EVERYTHING_OFF})
    run = ci(*commands["validate"])
    # validate has no BASE to compare with: it passes, but says whose config made it pass.
    assert run.code == 0
    assert "Policy config: plans/provision-policies.yaml" in run.out
    for fmt, needle in (("json", '"policyConfig": "plans/provision-policies.yaml"'),
                        ("markdown", "Policy config: plans/provision-policies.yaml"),
                        ("github", "Policy config: plans/provision-policies.yaml"),
                        ("sarif", '"policyConfigs": [\n          "plans/provision-policies.yaml"'),
                        ("junit", '<property name="policyConfig" value="plans/provision-policies.yaml" />')):
        assert needle in ci(*commands["validate"], "--format", fmt).out, fmt


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_diff_judges_head_with_base_config_and_blocks_the_weakening(pr, ci, base_plan, commands, fmt) -> None:
    pr({"plans/prod.yaml": violating(base_plan), "plans/provision-policies.yaml": EVERYTHING_OFF})
    run = ci(*commands["diff"], "--format", fmt)
    assert run.code == 1  # --fail-on-weakening: the config change weakens governance
    if fmt == "json":
        doc = json.loads(run.out)
        assert doc["policyConfig"] == "defaults"  # BASE has no config: the defaults judge the change
        assert doc["verdict"]["status"] == "blocked"
        assert sorted(f["rule"] for f in doc["findings"] if f["status"] == "new" and f["level"] == "mandatory") == [
            "PRV-RES-001", "PRV-SEC-003", "PRV-VEN-002"]
        disabled = [c for c in doc["changes"] if c["area"] == "policy-config"]
        assert len(disabled) == len(POLICIES) - sum(p.enforcement.value == "disabled" for p in POLICIES)
        assert all(c["flag"] == "weakening" and c["after"] == "disabled" for c in disabled)
    else:
        assert "policy config: defaults" in run.out.lower()
        assert "PRV-RES-001 disabled: enforcement mandatory → disabled" in run.out.replace("\\", "")
        assert "Blocked: 3 mandatory" in run.out or "BLOCKED: 3 mandatory" in run.out


def test_head_config_only_on_request_and_still_a_weakening(pr, ci, base_plan, commands) -> None:
    pr({"plans/prod.yaml": violating(base_plan), "plans/provision-policies.yaml": EVERYTHING_OFF})
    run = ci(*commands["diff"], "--head-config")
    assert "Policy config: plans/provision-policies.yaml" in run.out
    assert "Policy findings: none" in run.out  # judged by HEAD's own config ...
    assert run.code == 1  # ... the switch-off itself still blocks
    assert "[weaker]    PRV-SEC-001 disabled" in run.out


def test_a_downgrade_or_new_parameter_is_a_weakening_too(pr, ci, base_plan, commands) -> None:
    config = "policies:\n  PRV-VEN-001:\n    params: {maxCriticalPerVendor: 9}\n  PRV-SEC-003: {enforcement: advisory}\n"
    pr({"plans/provision-policies.yaml": config})
    run = ci(*commands["diff"])
    assert run.code == 1
    assert "PRV-SEC-003 downgraded: enforcement mandatory → advisory" in run.out
    assert "PRV-VEN-001 re-parameterised: maxCriticalPerVendor: 2 → 9" in run.out


def test_a_config_already_merged_governs_and_a_stricter_one_passes(pr, ci, base_plan, commands) -> None:
    strict = "policies:\n  PRV-SUS-001: {enforcement: mandatory}\n"
    pr({"plans/provision-policies.yaml": "policies:\n  PRV-SUS-001: {enforcement: mandatory}\n  PRV-BUD-002: {}\n"},
       base={"plans/provision-policies.yaml": strict})
    run = ci(*commands["diff"])
    assert run.code == 0
    assert "Policy config: git:main:plans/provision-policies.yaml" in run.out


# -- 2. externalIdRef stays in the external-id namespace ----------------------------------


@pytest.mark.parametrize("ref, why", [
    ("ssm:/teams/payments/db-password", "is outside the external-id namespace"),
    ("env:AWS_SECRET_ACCESS_KEY", "names a credential variable, which is never an external id"),
])
def test_external_id_reference_outside_the_namespace_is_blocked(pr, ci, base_plan, commands, ref, why) -> None:
    pr({"plans/prod.yaml": base_plan.replace("env:NIGHTWATCH_EXTERNAL_ID", ref)})
    run = ci(*commands["validate"])
    assert run.code == 1
    assert f"plans/prod.yaml:23:22: MANDATORY PRV-IAM-003 provider 'nightwatch': externalIdRef {ref} {why}" in run.out
    review = ci(*commands["diff"])
    assert "PRV-IAM-003" in review.out and "BLOCKED" in review.out


def test_widening_the_namespace_in_the_same_pull_request_does_not_help(pr, ci, base_plan, commands) -> None:
    pr({"plans/prod.yaml": base_plan.replace("env:NIGHTWATCH_EXTERNAL_ID", "ssm:/teams/payments/db-password"),
        "plans/provision-policies.yaml": "externalIdRefs: ['ssm:/teams/*']\n"})
    run = ci(*commands["diff"])
    assert run.code == 1
    assert "PRV-IAM-003" in run.out  # judged by BASE's namespace
    assert "external-id namespace: [ssm:/provision/*, secretsmanager:provision/*, env:*_EXTERNAL_ID] → " \
           "[ssm:/teams/*]" in run.out
    # validate, with no BASE, applies HEAD's config and says so.
    assert "Policy config: plans/provision-policies.yaml" in ci(*commands["validate"]).out


def test_no_config_admits_credential_variables(pr, ci, base_plan, commands) -> None:
    pr({"plans/prod.yaml": base_plan.replace("env:NIGHTWATCH_EXTERNAL_ID", "env:AWS_SECRET_ACCESS_KEY"),
        "plans/provision-policies.yaml": "externalIdRefs: ['env:*_KEY']\n"})
    run = ci(*commands["validate"])
    assert run.code == 1
    assert "externalIdRef env:AWS_SECRET_ACCESS_KEY names a credential variable" in run.out


# -- 4. symlinks out of the working tree ---------------------------------------------------


def test_a_plan_symlinked_out_of_the_tree_is_refused_unread(pr, ci, commands, symlink, tmp_path) -> None:
    secret = tmp_path / "outside.yaml"
    secret.write_text("kind: OutsourcingPlan\nAWS_SECRET_ACCESS_KEY_hunter2: x\n", encoding="utf-8")
    pr({"plans/prod.yaml": symlink(str(secret))})
    run = ci(*commands["validate"])
    assert run.code == 2
    assert "LOAD-OUTSIDE-TREE plans/prod.yaml: this plan file resolves outside its working tree" in run.out
    assert "hunter2" not in run.text
    review = ci(*commands["diff"])
    assert review.code == 2
    assert "resolves outside its working tree" in review.err and "hunter2" not in review.text


def test_proc_self_environ_is_refused(pr, ci, symlink) -> None:
    pr({"plans/prod.yaml": symlink("/proc/self/environ")})
    run = ci("validate", "plans/prod.yaml")
    assert run.code == 2
    assert "resolves outside its working tree (to /proc/" in run.out


def test_a_policy_config_symlinked_out_of_the_tree_is_refused(pr, ci, commands, symlink, tmp_path) -> None:
    outside = tmp_path / "lenient.yaml"
    outside.write_text(EVERYTHING_OFF, encoding="utf-8")
    pr({"plans/provision-policies.yaml": symlink(str(outside))})
    run = ci(*commands["validate"])
    assert run.code == 2
    assert "this policy config resolves outside its working tree" in run.out
    review = ci(*commands["diff"])
    assert review.code == 2 and "this policy config resolves outside its working tree" in review.err


def test_allow_outside_tree_opts_in(pr, ci, base_plan, symlink, tmp_path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(base_plan, encoding="utf-8")
    pr({"plans/prod.yaml": symlink(str(outside))})
    assert ci("validate", "plans/prod.yaml", "--allow-outside-tree").code == 1  # read; its exit plan is not beside it


# -- 5. exitPlan is a real document inside the repository ----------------------------------


@pytest.mark.parametrize("value, why", [
    ("../../../../etc/shadow", "'../../../../etc/shadow' points outside the repository"),
    ('"file:///etc/passwd"', "'file:///etc/passwd' is neither an https URL nor a path in the repository"),
    ('" "', "is blank"),
    ("docs/exit/gone.md", "'docs/exit/gone.md' does not exist in the repository root"),
])
def test_exit_plan_must_be_a_document_in_the_repository(pr, ci, base_plan, commands, value, why) -> None:
    pr({"plans/prod.yaml": base_plan.replace("exitPlan: docs/exit/nightwatch.md", f"exitPlan: {value}")})
    run = ci(*commands["validate"])
    assert run.code == 1
    assert (f"plans/prod.yaml:26:17: MANDATORY PRV-VEN-005 exit plan of provider 'nightwatch', which runs critical "
            f"'soc': {why}") in run.out
    assert "BLOCKED" in ci(*commands["diff"]).out


def test_exit_plan_is_checked_at_the_revision_of_a_git_source(pr, ci, base_plan, repo_file) -> None:
    pr({"plans/prod.yaml": base_plan.replace("docs/exit/nightwatch.md", "docs/exit/new.md")})
    repo_file("docs/exit/new.md", "# written but never committed\n")
    # The working tree has it: HEAD as a file passes ...
    assert ci("validate", "plans/prod.yaml").code == 0
    # ... the committed revision does not.
    run = ci("diff", "git:main:plans/prod.yaml", "git:pull-request:plans/prod.yaml", "--format", "json")
    new = [f for f in json.loads(run.out)["findings"] if f["status"] == "new"]
    assert [(f["rule"], f["message"]) for f in new] == [
        ("PRV-VEN-005", "exit plan of provider 'nightwatch', which runs critical 'soc': 'docs/exit/new.md' does not "
                        "exist in the repository at pull-request")]


# -- 6. huge numbers ------------------------------------------------------------------------


def test_a_huge_hex_number_is_a_located_finding(pr, ci, base_plan, commands) -> None:
    pr({"plans/prod.yaml": base_plan.replace("monthlyUSD: 2500", "monthlyUSD: 0x" + "f" * 6000)})
    run = ci(*commands["validate"])
    assert run.code == 2
    assert "plans/prod.yaml:61:17: ERROR LOAD-SYNTAX `0xffffffffffffffffff…ffffffff` (6,002 characters)" in run.out
    assert "INTERNAL-ERROR" not in run.text
    review = ci(*commands["diff"])
    assert review.code == 2 and "61:17: LOAD-SYNTAX" in review.err and "INTERNAL-ERROR" not in review.text


# -- 7. alerts reach the organisation, not only the vendor ---------------------------------


def test_alerts_only_to_the_vendor_are_blocked(pr, ci, base_plan, commands) -> None:
    pr({"plans/prod.yaml": base_plan.replace(", security@brightdesk.example]", "]")})
    run = ci(*commands["validate"])
    assert run.code == 1
    assert ("plans/prod.yaml:59:19: MANDATORY PRV-SEC-003 security alerts of 'soc' go only to provider 'nightwatch' "
            "(soc@nightwatch.example); none reaches the organisation (brightdesk.example)") in run.out
    review = ci(*commands["diff"], "--format", "markdown")
    assert "PRV-SEC-003" in review.out and "❌" in review.out


def test_an_invalid_config_in_the_pull_request_is_named_and_fails(pr, ci, base_plan, commands) -> None:
    pr({"plans/provision-policies.yaml": "policies:\n  PRV-SEC-001:\n    enforcement: off\n"})
    run = ci(*commands["validate"])
    assert run.code == 2
    assert ("plans/provision-policies.yaml:3:18: ERROR POLICY-CONFIG The policy config is invalid: PRV-SEC-001: "
            "enforcement must be one of mandatory, advisory, disabled, not 'off' (YAML reads off as false); "
            "to switch the policy off, write enforcement: disabled.") in run.out
    assert "Policy config: plans/provision-policies.yaml (not applied: invalid)" in run.out
    review = ci(*commands["diff"])
    assert review.code == 2 and "enforcement must be one of mandatory, advisory, disabled, not 'off'" in review.err
