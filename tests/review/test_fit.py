"""Cutting a comment to a size limit: least important rows first, essentials last, always said."""

from __future__ import annotations

from provision.cli.review.fit import Block, fit


def footnote(names: list[str]) -> str:
    return f"[dropped: {', '.join(names)}]" if names else ""


def blocks() -> list[Block]:
    return [
        Block("verdict", "VERDICT\n"),
        Block("failures", "F:\n", [f"f{i}\n" for i in range(3)], "", unit="failure"),
        Block("summary", "S:\n", [f"s{i}\n" for i in range(10)], "", rank=2, unit="function"),
        Block("details", "D:\n", [f"d{i}\n" for i in range(50)], "/D\n", rank=5, unit="resource"),
    ]


def test_nothing_is_cut_under_the_limit() -> None:
    text = fit(blocks(), 10_000, footnote)
    assert text == "VERDICT\nF:\nf0\nf1\nf2\nS:\n" + "".join(f"s{i}\n" for i in range(10)) + "D:\n" + "".join(
        f"d{i}\n" for i in range(50)) + "/D\n"


def test_the_highest_rank_loses_rows_first_with_a_note() -> None:
    full = len(fit(blocks(), 10_000, footnote))
    text = fit(blocks(), full - 30, footnote)
    assert len(text) <= full - 30
    assert "s9\n" in text and "d0\n" in text
    assert "more resources not shown: the comment would exceed its size limit._" in text
    assert "[dropped" not in text


def test_a_block_with_no_room_left_is_dropped_whole_and_named() -> None:
    text = fit(blocks(), 80, footnote)
    assert text == "VERDICT\nF:\nf0\nf1\nf2\nS:\n" + "".join(f"s{i}\n" for i in range(10)) + "[dropped: details]"


def test_essentials_stay_whole_while_anything_else_can_go() -> None:
    assert fit(blocks(), 60, footnote) == "VERDICT\nF:\nf0\nf1\nf2\n[dropped: summary, details]"


def test_essential_rows_go_last_and_only_row_by_row() -> None:
    many = [Block("verdict", "VERDICT\n"), Block("failures", "F:\n", [f"failure number {i:03}\n" for i in range(50)],
                                                  unit="failure"), Block("details", "D:\n", ["d\n"] * 9, rank=5)]
    text = fit(many, 500, footnote)
    assert len(text) <= 500
    assert text.startswith("VERDICT\nF:\nfailure number 000\n")
    assert "more failures not shown: the comment would exceed its size limit._" in text
    assert text.endswith("[dropped: details]")


def test_the_limit_holds_even_when_essentials_alone_are_too_long() -> None:
    text = fit([Block("verdict", "V" * 500)], 200, footnote)
    assert len(text) == 200
    assert text.endswith("_✂️ Truncated: the comment would exceed its size limit._\n")
    assert fit([Block("verdict", "V" * 500)], 40, footnote) == "V" * 40
