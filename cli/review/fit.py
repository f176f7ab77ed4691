"""Fit a comment under a size limit by cutting its least important rows first.

A comment is a list of blocks: a heading, an optional table header, rows that
can be cut, and a tail. Each block has a rank: higher ranks are cut first.
First rows go, block by block, leaving each heading with a note of what was
cut; only if that is not enough do whole blocks go, named in a footnote.
Rank 0 (the verdict, destructive changes, policy failures) is cut last, and
only row by row. Whatever is cut is said so in the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import accumulate
from typing import Callable, Sequence

from provision.cli.formats.base import plural

ESSENTIAL = 0


@dataclass
class Block:
    name: str  # what the footnote calls it, e.g. "resource details"
    head: str = ""
    rows: Sequence[str] = ()
    tail: str = ""
    rank: int = ESSENTIAL
    unit: str = "row"  # what a row is, for the cut note
    table: str = ""  # the table header, shown only above rows
    keep: int = field(default=-1)  # rows kept; -1: all
    dropped: bool = False

    def __post_init__(self) -> None:
        if self.keep < 0:
            self.keep = len(self.rows)

    def cut_note(self, cut: int) -> str:
        return f"\n_✂️ {plural(cut, 'more ' + self.unit)} not shown: the comment would exceed its size limit._\n"

    def text(self, keep: int | None = None) -> str:
        if self.dropped:
            return ""
        keep = self.keep if keep is None else keep
        cut = len(self.rows) - keep
        body = self.table + "".join(self.rows[:keep]) if keep else ""
        return self.head + body + (self.cut_note(cut) if cut else "") + self.tail


def fit(blocks: Sequence[Block], limit: int, footnote: Callable[[list[str]], str]) -> str:
    """The blocks joined, cut to at most `limit` characters.

    `footnote(names)` renders the note that lists the blocks dropped whole
    (called with [] when none were), placed at the very end.
    """
    def excess() -> int:
        dropped = [block.name for block in blocks if block.dropped]
        return sum(len(block.text()) for block in blocks) + len(footnote(dropped)) - limit

    order = sorted(range(len(blocks)), key=lambda i: (-blocks[i].rank, -i))
    cuttable = [blocks[i] for i in order if blocks[i].rank != ESSENTIAL]
    essential = [blocks[i] for i in order if blocks[i].rank == ESSENTIAL]
    for block in cuttable:
        if excess() <= 0:
            break
        _shrink(block, excess())
    for block in cuttable:
        if excess() <= 0:
            break
        block.dropped = True
    for block in reversed(cuttable):  # what dropping freed goes back to the most important rows
        if not block.dropped and block.keep < len(block.rows):
            _grow(block, -excess())
    for block in essential:
        if excess() <= 0:
            break
        _shrink(block, excess())
    text = "".join(block.text() for block in blocks)
    text += footnote([block.name for block in blocks if block.dropped])
    if len(text) > limit:  # only when the essential headings alone are too long
        marker = "\n\n_✂️ Truncated: the comment would exceed its size limit._\n"
        text = text[: limit - len(marker)] + marker if limit > 2 * len(marker) else text[:limit]
    return text


def _lengths(block: Block) -> Callable[[int], int]:
    """The length of `block` as a function of the rows it keeps."""
    prefix = list(accumulate((len(row) for row in block.rows), initial=0))

    def length(keep: int) -> int:
        cut = len(block.rows) - keep
        body = len(block.table) + prefix[keep] if keep else 0
        return len(block.head) + body + (len(block.cut_note(cut)) if cut else 0) + len(block.tail)

    return length


def _shrink(block: Block, excess: int) -> None:
    """Drop rows from the end of `block` until it is `excess` characters shorter; when it cannot be,
    keep the row count that makes it shortest (a cut note can outweigh a few short rows)."""
    length = _lengths(block)
    target = length(block.keep) - excess
    best = block.keep
    for keep in range(block.keep, -1, -1):
        if length(keep) < length(best):
            best = keep
        if length(keep) <= target:
            best = keep
            break
    block.keep = best


def _grow(block: Block, room: int) -> None:
    """Take back rows of `block` while it grows by at most `room` characters."""
    length = _lengths(block)
    target = length(block.keep) + room
    while block.keep < len(block.rows) and length(block.keep + 1) <= target:
        block.keep += 1
