"""PRV-RES-002: vendors receiving personal or regulated data sit inside the residency."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.policies.plan_facts import data_recipients, is_sensitive
from provision.policies.residency import residency
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    allowed = residency(plan.data_residency)
    if allowed.countries is None:
        return
    for function in plan.functions.values():
        if not is_sensitive(function):
            continue
        for vendor in data_recipients(plan, function):
            if not vendor.external:
                continue
            subject = f"function '{function.name}' gives {function.data} data to provider '{vendor.name}'"
            if vendor.country is None:
                yield Violation(
                    f"{subject}, which declares no country; data residency '{allowed.name}' "
                    f"requires a vendor in {allowed.countries_label}",
                    vendor.path,
                    function.name,
                )
            elif not allowed.allows_country(vendor.country):
                yield Violation(
                    f"{subject} in {vendor.country.upper()}, outside data residency "
                    f"'{allowed.name}' ({allowed.countries_label})",
                    vendor.path + ("country",),
                    function.name,
                )


POLICY = Policy(
    id="PRV-RES-002",
    title="Vendors handling personal or regulated data are inside the residency",
    enforcement=Enforcement.MANDATORY,
    description=(
        "An external vendor (msp or bpo) that runs a function holding pii or regulated data, or "
        "receives it as a data-exchange partner, must declare its country, and that country must "
        "be inside spec.dataResidency (eu: EU/EEA member states; uk: GB; ch: CH; us: US; ca: CA; "
        "apac: Asia-Pacific countries; global: any). Remote access from another jurisdiction is a "
        "transfer of the data even when the bytes stay in the right AWS region."
    ),
    remediation=(
        "Choose a vendor established inside the residency, declare its country, or reclassify the "
        "function's data if it holds no personal or regulated data."
    ),
    check=check,
    tags=("residency", "vendor"),
)
