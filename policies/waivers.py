"""Waivers: time-boxed, approved acceptance of a policy finding.

A valid waiver turns a matching violation into level WAIVED: still reported,
never hidden. An expired one waives nothing and is reported by PRV-GOV-001.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from provision.schemas.model import Waiver

# Findings about waivers themselves cannot be waived, or a waiver could cover its own expiry.
UNWAIVABLE = frozenset({"PRV-GOV-001"})


def is_expired(waiver: Waiver, today: dt.date) -> bool:
    """Expired once its expires date is in the past; it still holds on that day."""
    return waiver.expires < today


def covers(waiver: Waiver, policy_id: str, function: str | None) -> bool:
    """Same policy, and the same function when the waiver names one."""
    return waiver.policy == policy_id and (waiver.function is None or waiver.function == function)


def find_waiver(waivers: Iterable[Waiver], policy_id: str, function: str | None, today: dt.date) -> Waiver | None:
    """The first valid waiver covering a violation of policy_id about function, if any."""
    if policy_id in UNWAIVABLE:
        return None
    return next((w for w in waivers if covers(w, policy_id, function) and not is_expired(w, today)), None)
