"""Fit a comment under a size limit by cutting its least important rows first.

A comment is a list of blocks. Each block has fixed text around rows that can
be cut, and a rank: higher ranks are cut first; rank 0 (the verdict,
destructive changes, policy failures) is cut only when nothing else is left,
and then only row by row, with a note. Whatever is cut is said so in the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

ESSENTIAL = 0


@dataclass
class Block:
    name: str  # what the cut note calls it, e.g. "resource details"
    head: str = ""
    rows: Sequence[str] = ()
    tail: str = ""
    rank: int = ESSENTIAL
    unit: str = "rows"  # what the rows are, for the cut note
    keep: int = field(default=-1)  # rows kept; -1: all
    dropped: bool = False

    def __post_init__(self) -> None:
        if self.keep < 0:
            self.keep = len(self.rows)

    def cut_note(self, cut: int) -> str:
        return f"\n_✂️ {cut} more {self.unit} not shown: the comment would exceed its size limit._\n"

    def text(self, keep: int | None = None) -> str:
        if self.dropped:
            return ""
        keep = self.keep if keep is None else keep
        cut = len(self.rows) - keep
        return self.head + "".join(self.rows[:keep]) + (self.cut_note(cut) if cut else "") + self.tail


def fit(blocks: Sequence[Block], limit: int, footnote: Callable[[list[str]], str]) -> str:
    """The blocks joined, cut to at most `limit` characters.

    `footnote(names)` renders the note that lists the blocks dropped whole
    (called with [] when none were), placed at the very end.
    """
    def total() -> int:
        dropped = [block.name for block in blocks if block.dropped]
        return sum(len(block.text()) for block in blocks) + len(footnote(dropped))

    cut_order = sorted(range(len(blocks)), key=lambda i: (-blocks[i].rank if blocks[i].rank else 1, -i))
    for index in cut_order:
        if total() <= limit:
            break
        _shrink(blocks[index], total() - limit)
        if total() > limit and blocks[index].rank != ESSENTIAL:
            blocks[index].dropped = True
    text = "".join(block.text() for block in blocks)
    text += footnote([block.name for block in blocks if block.dropped])
    if len(text) > limit:  # only when the essential heads alone are too long
        marker = "\n\n_✂️ Truncated: the comment would exceed its size limit._\n"
        text = text[: limit - len(marker)] + marker if limit > 2 * len(marker) else text[:limit]
    return text


def _shrink(block: Block, excess: int) -> None:
    """Drop rows from the end of `block` until it is `excess` characters shorter, or has none left."""
    target = len(block.text()) - excess
    fixed = len(block.head) + len(block.tail)
    length = fixed + sum(len(row) for row in block.rows[: block.keep])
    keep = block.keep
    while keep > 0 and length + _note_length(block, keep) > target:
        keep -= 1
        length -= len(block.rows[keep])
    block.keep = keep


def _note_length(block: Block, keep: int) -> int:
    cut = len(block.rows) - keep
    return len(block.cut_note(cut)) if cut else 0
