"""A finding: one problem in one plan file, located and explained.

Every check (loader, schema, cross-references, policies) yields these, and every
output format renders them; nothing else crosses that boundary.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from provision.schemas.model import Path


class Level(str, Enum):
    ERROR = "error"  # unreadable or schema-invalid input: exit 2
    MANDATORY = "mandatory"  # mandatory policy violated: exit 1
    ADVISORY = "advisory"  # reported, never fails
    WAIVED = "waived"  # a violation covered by a valid waiver: reported, never fails


@dataclass(frozen=True)
class WaiverNote:
    expires: dt.date
    approved_by: str
    reason: str


@dataclass(frozen=True)
class Finding:
    file: str
    line: int  # 1-based
    column: int  # 1-based
    rule: str  # policy id (PRV-...) or schema/loader id (SCHEMA, LOAD-..., XREF-...)
    level: Level
    message: str
    fix: str  # how to fix it, one sentence
    path: Path = ()  # JSON path inside the document
    title: str = ""
    docs_url: str = ""  # relative to the repository root, e.g. docs/policies.md#prv-res-001
    waiver: WaiverNote | None = None  # the waiver that covers it (level WAIVED)

    @property
    def json_pointer(self) -> str:
        return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in self.path) if self.path else ""

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.column, self.rule, self.message)
