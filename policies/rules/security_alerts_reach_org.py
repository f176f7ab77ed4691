"""PRV-SEC-003: an outsourced SOC's alerts also reach the organisation itself."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.schemas.model import Plan


def domain(address: str) -> str:
    return address.rpartition("@")[2].lower()


def of_organisation(address: str, domains: set[str]) -> bool:
    found = domain(address)
    return any(found == d or found.endswith("." + d) for d in domains)


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    tiers = set(params["tiers"])
    if not any(f.tier in tiers for f in plan.functions.values()):
        return
    domains = {domain(plan.owner), *(str(d).lower() for d in params["organisationDomains"] if d)}
    for function in plan.functions_of_type("security-monitoring"):
        if not plan.provider_of(function).external:
            continue
        notify = function.settings.get("alerts", {}).get("notify", [])
        if not any(of_organisation(address, domains) for address in notify):
            yield Violation(
                f"security alerts of '{function.name}' go only to provider '{function.provider}' "
                f"({', '.join(notify)}); none reaches the organisation ({', '.join(sorted(domains))})",
                function.settings_path + ("alerts", "notify"),
                function.name,
            )


POLICY = Policy(
    id="PRV-SEC-003",
    title="Security alerts of an outsourced SOC also reach the organisation",
    enforcement=Enforcement.MANDATORY,
    description=(
        "Vendor dependency is the outsourcing risk this tool exists to govern. When the security "
        "monitoring of a plan with critical functions is run by an external vendor, its alerts must "
        "also reach an address of the organisation, not only the vendor's: otherwise a vendor that "
        "misses, suppresses or archives a finding (or a breach at the vendor itself) leaves the "
        "organisation unaware, and it cannot meet its own notification duties (GDPR Art. 33, "
        "DORA Art. 19). The organisation's addresses are those in the domain of metadata.owner, "
        "its subdomains, and organisationDomains."
    ),
    remediation=(
        "Add an address of your organisation (for example security@<your domain>, the domain of "
        "metadata.owner) to securityMonitoring.alerts.notify."
    ),
    check=check,
    params={"tiers": ["critical"], "organisationDomains": []},
    tags=("security", "vendor"),
)
