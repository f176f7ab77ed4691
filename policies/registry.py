"""The policy catalogue: every policy, listed explicitly (no registration by import)."""

from __future__ import annotations

from provision.policies.base import Policy
from provision.policies.rules import (
    backup_coverage,
    backup_immutable_copy,
    backup_retention,
    backup_rpo,
    bpo_safeguards,
    budget_nonprod,
    budget_prod,
    budget_respected,
    carbon_region,
    gdpr_breach_detection,
    gdpr_processor_contacts,
    gdpr_residency,
    gdpr_storage_limitation,
    hipaa_backup,
    hipaa_trail_retention,
    monitoring_coverage,
    pci_audit_monitoring,
    pci_trail_retention,
    residency_regions,
    residency_vendor_country,
    secrets_inline,
    security_alerts_reach_org,
    security_monitoring_required,
    sla_availability,
    sla_support,
    vendor_concentration,
    vendor_contract_expired,
    vendor_contract_renewal,
    vendor_exit_document,
    vendor_exit_plan,
    vendor_external_id,
    vendor_external_id_namespace,
    vendor_runbook_actions,
    waiver_duration,
    waiver_expired,
)

POLICIES: tuple[Policy, ...] = (
    residency_regions.POLICY,
    residency_vendor_country.POLICY,
    gdpr_residency.POLICY,
    gdpr_breach_detection.POLICY,
    gdpr_processor_contacts.POLICY,
    gdpr_storage_limitation.POLICY,
    pci_audit_monitoring.POLICY,
    pci_trail_retention.POLICY,
    hipaa_trail_retention.POLICY,
    hipaa_backup.POLICY,
    security_monitoring_required.POLICY,
    security_alerts_reach_org.POLICY,
    secrets_inline.POLICY,
    vendor_runbook_actions.POLICY,
    vendor_external_id.POLICY,
    vendor_external_id_namespace.POLICY,
    vendor_concentration.POLICY,
    vendor_exit_plan.POLICY,
    vendor_exit_document.POLICY,
    vendor_contract_expired.POLICY,
    vendor_contract_renewal.POLICY,
    sla_availability.POLICY,
    sla_support.POLICY,
    backup_rpo.POLICY,
    backup_retention.POLICY,
    backup_immutable_copy.POLICY,
    backup_coverage.POLICY,
    bpo_safeguards.POLICY,
    budget_prod.POLICY,
    budget_nonprod.POLICY,
    budget_respected.POLICY,
    carbon_region.POLICY,
    monitoring_coverage.POLICY,
    waiver_expired.POLICY,
    waiver_duration.POLICY,
)

_BY_ID = {p.id: p for p in POLICIES}
if len(_BY_ID) != len(POLICIES):
    raise RuntimeError("duplicate policy id in POLICIES")


def get(policy_id: str) -> Policy:
    """The policy with this id; KeyError if there is none."""
    return _BY_ID[policy_id]


def ids() -> list[str]:
    return list(_BY_ID)
