"""PRV-RES-002: vendors receiving personal or regulated data sit inside the residency."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import RESIDENCIES, Enforcement, Policy, Violation
from provision.policies.plan_facts import data_recipients, is_sensitive
from provision.policies.residency import national_within, residency
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    table = params.get(RESIDENCIES)
    allowed = residency(plan.data_residency, table)
    if allowed is None or allowed.countries is None:
        return
    if not allowed.jurisdiction:
        yield from _grouping(plan, allowed, table)
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


def _grouping(plan: Plan, allowed, table) -> Iterator[Violation]:
    # A grouping of jurisdictions (apac) cannot say whose law protects the data: a Philippine vendor
    # would pass for Australian health data. Sensitive data handed to vendors needs a national one.
    national = ", ".join(national_within(allowed, table))
    for function in plan.functions.values():
        vendors = [v.name for v in data_recipients(plan, function) if v.external]
        if is_sensitive(function) and vendors:
            yield Violation(
                f"function '{function.name}' gives {function.data} data to provider '{vendors[0]}' under data "
                f"residency '{allowed.name}', which spans several jurisdictions; choose the national "
                f"residency whose law applies ({national})",
                ("spec", "dataResidency"),
                function.name,
            )


POLICY = Policy(
    id="PRV-RES-002",
    title="Vendors handling personal or regulated data are inside the residency",
    enforcement=Enforcement.MANDATORY,
    description=(
        "An external vendor (msp or bpo) that runs a function holding pii or regulated data, or "
        "receives it as a data-exchange partner, must declare its country, and that country must "
        "be inside spec.dataResidency (eu: EU/EEA member states; uk: GB and EU/EEA; ch: CH and "
        "EU/EEA; us: US; ca: CA; au: AU; jp: JP; sg: SG; in: IN; global: any). apac groups several "
        "jurisdictions, so it cannot say whose law protects personal data: such data handed to a "
        "vendor needs a national residency (au, jp, sg, in, ...). Remote access from another "
        "jurisdiction is a transfer of the data even when the bytes stay in the right AWS region."
    ),
    remediation=(
        "Choose a vendor established inside the residency, declare its country, or reclassify the "
        "function's data if it holds no personal or regulated data."
    ),
    check=check,
    tags=("residency", "vendor"),
)
