"""Where each element of a loaded plan sits in its file (1-based line:column).

The loader records two marks per JSON path: where the value starts and, for
mapping entries, where the key starts. `locate` picks the one a reader expects
an error to point at: the value for scalars and flow collections
(`tier: gold` points at `gold`), the key for block collections (a mapping
under `web:` starts on the next line, so `web:` itself is the better anchor).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from provision.schemas.model import Path

Mark = tuple[int, int]  # (line, column), both 1-based


@dataclass
class PositionMap:
    anchors: dict[Path, Mark] = field(default_factory=dict)  # preferred mark per path
    keys: dict[Path, Mark] = field(default_factory=dict)  # mapping keys only
    # Original text of scalars YAML read as something other than a string
    # (`NO` -> False, `0755` -> 493): lets errors quote what the user wrote.
    sources: dict[Path, str] = field(default_factory=dict)

    def locate(self, path: Path) -> Mark:
        """The mark of `path`, or of its closest known ancestor; (1, 1) at worst."""
        path = tuple(path)
        while path:
            mark = self.anchors.get(path)
            if mark is not None:
                return mark
            path = path[:-1]
        return self.anchors.get((), (1, 1))

    def locate_key(self, path: Path) -> Mark:
        """The mark of the key that introduces `path`, falling back to `locate`."""
        return self.keys.get(tuple(path)) or self.locate(path)

    def source(self, path: Path) -> str | None:
        """What the user wrote for a scalar YAML did not read as a string."""
        return self.sources.get(tuple(path))
