"""#19 item 5: residencies are data: national ones where law asks, and organisations add their own."""

from __future__ import annotations

from tests.ux.conftest import TODAY

# us-healthcare moved to Sydney, its BPO claimsco to the Philippines, its backup copy inside Australia.
TO_SYDNEY = [("region: us-east-1", "region: ap-southeast-2"), ("country: US", "country: PH"),
             ("copyToRegion: us-west-2", "copyToRegion: ap-southeast-4")]  # fmt: skip


def test_item5_apac_refuses_health_data_to_a_vendor_and_names_the_national_residencies(run, edited) -> None:
    plan = edited("us-healthcare", *TO_SYDNEY, ("dataResidency: us", "dataResidency: apac"))
    result = run("validate", plan, *TODAY)
    assert result.exit_code == 1
    assert (
        "MANDATORY PRV-RES-002 function 'claims-exchange' gives regulated data to provider 'claimsco' under data "
        "residency 'apac', which spans several jurisdictions; choose the national residency whose law applies "
        "(au, in, jp, sg)"
    ) in result.stdout


def test_item5_au_refuses_a_philippine_vendor_at_its_country(run, edited) -> None:
    plan = edited("us-healthcare", *TO_SYDNEY, ("dataResidency: us", "dataResidency: au"))
    result = run("validate", plan, *TODAY)
    assert result.exit_code == 1
    assert (
        f"{plan}:28:16: MANDATORY PRV-RES-002 function 'claims-exchange' gives regulated data to provider 'claimsco' "
        "in PH, outside data residency 'au' (AU)"
    ) in result.stdout
    assert "PRV-RES-001" not in result.stdout  # ap-southeast-4 (Melbourne) is inside au


def test_item5_uk_backs_up_into_the_eu(run, edited) -> None:
    # uk admits the EU/EEA (UK adequacy regulations): a London plan has somewhere to copy its backups.
    plan = edited("saas-startup", ("region: eu-west-1", "region: eu-west-2"), ("dataResidency: eu", "dataResidency: uk"))
    result = run("validate", plan, *TODAY)
    assert "PRV-RES-001" not in result.stdout and "PRV-BAK-003" not in result.stdout, result.stdout


def test_item5_an_organisation_adds_a_residency_in_its_config(run, edited) -> None:
    plan = edited("us-healthcare", ("dataResidency: us", "dataResidency: usgov-like"))
    unknown = run("validate", plan, *TODAY)
    (plan.parent / "provision-policies.yaml").write_text(
        "residencies:\n  usgov-like: {regions: [us-east-1, us-west-2], countries: [US], label: US (test)}\n"
    )
    known = run("validate", plan, *TODAY)
    assert unknown.exit_code == 1
    assert (
        f"{plan}:18:18: MANDATORY PRV-RES-001 data residency 'usgov-like' is not defined (known: apac, au, ca, ch, eu, "
        "global, in, jp, sg, uk, us); an organisation defines its own under residencies: in provision-policies.yaml"
    ) in unknown.stdout
    assert (known.exit_code, known.stdout.splitlines()[-2:]) == (
        0, [f"Policy config: {plan.parent / 'provision-policies.yaml'}", "PASSED: 0 errors, 0 mandatory, 0 advisory, 0 waived in 1 file"]
    ), known.stdout
