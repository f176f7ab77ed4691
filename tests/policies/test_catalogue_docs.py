"""docs/policies.md is generated from the registry and must be current."""

from __future__ import annotations

import pathlib

from provision.policies.catalogue import COMMAND, main, render_markdown
from provision.policies.registry import POLICIES

DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs" / "policies.md"


def test_docs_page_is_up_to_date() -> None:
    assert DOCS.read_text(encoding="utf-8") == render_markdown(), f"regenerate it: {COMMAND}"


def test_every_policy_has_its_anchor_and_defaults() -> None:
    text = render_markdown()
    for policy in POLICIES:
        assert f"\n## {policy.id}\n" in text
        assert f"[{policy.id}](#{policy.docs_anchor})" in text
    assert "| `maxCriticalPerVendor` | `2` |" in text


def test_markdown_escapes_what_would_render_wrongly() -> None:
    text = render_markdown()
    assert r"eu -&gt; eu-\* except eu-west-2" in text
    assert "monthlyUSD: &lt;amount&gt;" in text


def test_check_mode_reports_a_stale_page(tmp_path: pathlib.Path, capsys) -> None:
    page = tmp_path / "policies.md"
    assert main(["--check", str(page)]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main([str(page)]) == 0
    assert main(["--check", str(page)]) == 0
    assert main([]) == 2
