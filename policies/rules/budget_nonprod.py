"""PRV-BUD-002: non-production plans are advised to declare a monthly budget."""

from __future__ import annotations

from provision.policies.base import Enforcement, Policy
from provision.policies.rules.budget_prod import DESCRIPTION, REMEDIATION, missing_budget

POLICY = Policy(
    id="PRV-BUD-002",
    title="Non-production plans declare a budget",
    enforcement=Enforcement.ADVISORY,
    description=DESCRIPTION + "Advisory for dev, test and staging; PRV-BUD-001 requires it for prod.",
    remediation=REMEDIATION,
    check=missing_budget(prod=False),
    tags=("budget",),
)
