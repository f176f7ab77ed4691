"""Waivers a reviewer should see: added, removed, renewed, expiring soon or expired."""

from __future__ import annotations

import datetime as dt

from provision.cli.review.model import WaiverNote
from provision.schemas.model import Plan, Waiver


def _key(waiver: Waiver) -> tuple[str, str | None]:
    return (waiver.policy, waiver.function)


def waiver_notes(base: Plan | None, head: Plan, today: dt.date) -> tuple[WaiverNote, ...]:
    """HEAD's noteworthy waivers in plan order, then the ones HEAD removed."""
    before = {_key(waiver): waiver for waiver in base.waivers} if base else {}
    after_keys = {_key(waiver) for waiver in head.waivers}
    notes = []
    for waiver in head.waivers:
        old = before.get(_key(waiver))
        if base is None:
            change = None
        elif old is None:
            change = "added"
        elif old.expires != waiver.expires:
            change = "renewed"
        else:
            change = None
        note = WaiverNote(waiver, change, (waiver.expires - today).days)
        if note.change or note.expiring or note.expired:
            notes.append(note)
    notes += [
        WaiverNote(waiver, "removed", (waiver.expires - today).days)
        for key, waiver in before.items()
        if key not in after_keys
    ]
    return tuple(notes)
