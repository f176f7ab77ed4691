"""The safe YAML loader: positions for every path, and a located Finding for every bad input."""

from __future__ import annotations

import datetime as dt
import pathlib

import pytest

from provision.schemas.findings import Level
from provision.schemas.loader import MAX_BYTES, LoadError, load_document

LOL = "[lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"
BOMB = f"a: &a {LOL}\n" + "".join(
    f"{name}: &{name} [{', '.join(['*' + prev] * 10)}]\n" for prev, name in zip("abcdefgh", "bcdefghi")
)

# (text, rule, line, column, message)
BAD_TEXT = [
    ("a:\n\tb: 2\n", "LOAD-TABS", 2, 1, "A tab is used for indentation; YAML allows only spaces there."),
    ("a:\n  b: 1\n  \tc: 2\n", "LOAD-TABS", 3, 3, "A tab is used for indentation; YAML allows only spaces there."),
    ("", "LOAD-EMPTY", 1, 1, "The file is empty: it holds no YAML document."),
    ("# only a comment\n\n", "LOAD-EMPTY", 1, 1, "The file is empty: it holds no YAML document."),
    ("---\n~\n", "LOAD-EMPTY", 1, 1, "The file is empty: it holds no YAML document."),
    ("# plans\n- a\n- b\n", "LOAD-NOT-MAPPING", 2, 1, "The document is a list; a plan is a mapping of keys."),
    ("just words\n", "LOAD-NOT-MAPPING", 1, 1, "The document is a single value; a plan is a mapping of keys."),
    ("a: 1\n---\nb: 2\n", "LOAD-MULTI-DOC", 2, 1,
     "The file holds more than one YAML document; a plan file holds exactly one."),
    ("a: b: c\n", "LOAD-SYNTAX", 1, 5, "YAML syntax error: mapping values are not allowed in this context."),
    ("a: [1, 2\nb: 3\n", "LOAD-SYNTAX", 2, 2,
     "YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 1)."),
    ("a: *nowhere\n", "LOAD-ALIAS", 1, 4, "YAML syntax error: found undefined alias."),
    (BOMB, "LOAD-ALIAS", 4, 1, "Aliases expand to more than 10,000 values (an alias bomb?)."),
    ("a: &a [1, *a]\n", "LOAD-ALIAS", 1, 1, "This alias refers to the collection that contains it, which never ends."),
    ("a: " + "[" * 60 + "]" * 60 + "\n", "LOAD-DEPTH", 1, 54, "The document nests deeper than 50 levels."),
    # Far past the C parser's stack: rejected by the streaming pre-pass, quickly.
    ("a: " + "[" * 200_000 + "]" * 200_000 + "\n", "LOAD-DEPTH", 1, 53, "The document nests deeper than 50 levels."),
    ("a:\n  " + "- " * 60 + "x\n", "LOAD-DEPTH", 2, 103, "The document nests deeper than 50 levels."),
    ("a: !!binary aGVsbG8=\n", "LOAD-TAG", 1, 4, "The tag `!!binary` is not supported in plans."),
    ("a: !!python/object/apply:os.system [ls]\n", "LOAD-TAG", 1, 4,
     "The tag `!!python/object/apply:os.system` is not supported in plans."),
    ("a: !vault secret\n", "LOAD-TAG", 1, 4, "The tag `!vault` is not supported in plans."),
    ("a: !!set {x, y}\n", "LOAD-TAG", 1, 4, "The tag `!!set` is not supported in plans."),
    ("a: !!int twelve\n", "LOAD-SYNTAX", 1, 4, "`twelve` is not a valid int."),
    ("a: .nan\n", "LOAD-SYNTAX", 1, 4, "`.nan` is not a finite number."),
    ("? [a, b]\n: 1\n", "LOAD-SYNTAX", 1, 3, "A key must be plain text, not a list or a mapping."),
    ("c:\n  <<: 3\n", "LOAD-SYNTAX", 2, 7, "A merge key `<<` needs a mapping or a list of mappings."),
    ("a: é\nb: \x07\n", "LOAD-BINARY", 2, 4,
     "Character U+0007 is not allowed in YAML: control characters are not allowed."),
    ("a: 1\nb: \x00\n", "LOAD-BINARY", 2, 4, "The text contains a NUL character: it is binary, not a YAML plan."),
    ("a: \ud800\n", "LOAD-ENCODING", 1, 4, "Character U+D800 cannot be encoded as UTF-8 (a lone surrogate)."),
]


# (bytes, rule, line, column, message)
BAD_BYTES = [
    (b"a: 1\nname: caf\xe9\n", "LOAD-ENCODING", 2, 10,
     "Byte 0xE9 is not valid UTF-8 (the file may be Latin-1 or Windows-1252)."),
    ("a: é\nb: ü\xff".encode("utf-8")[:-2] + b"\xff", "LOAD-ENCODING", 2, 5,
     "Byte 0xFF is not valid UTF-8 (the file may be Latin-1 or Windows-1252)."),
    ("a: 1\n".encode("utf-16"), "LOAD-ENCODING", 1, 1, "The file is encoded as UTF-16; plans must be UTF-8."),
    ("a: 1\n".encode("utf-32"), "LOAD-ENCODING", 1, 1, "The file is encoded as UTF-32; plans must be UTF-8."),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "LOAD-BINARY", 3, 1,
     "The file contains a NUL byte: it is binary, not a YAML plan."),
    (b"a: 1\n" + b"#" * MAX_BYTES, "LOAD-TOO-LARGE", 1, 1,
     "The file is over the 1 MiB limit for plans (1,048,581 bytes or more)."),
]


@pytest.mark.parametrize(("source", "rule", "line", "column", "message"), BAD_TEXT + BAD_BYTES)
def test_bad_input_is_one_located_finding(source: str | bytes, rule: str, line: int, column: int, message: str) -> None:
    with pytest.raises(LoadError) as caught:
        load_document(source, filename="plan.yaml")
    [finding] = caught.value.findings
    assert (finding.rule, finding.line, finding.column, finding.message) == (rule, line, column, message)
    assert (finding.file, finding.level) == ("plan.yaml", Level.ERROR)
    assert finding.fix.endswith(".") or finding.fix.endswith("?")


@pytest.mark.parametrize(
    ("text", "data", "line", "column", "message"),
    [
        ("a: 1\nb: 2\na: 3\n", {"a": 3, "b": 2}, 3, 1,
         "Duplicate key `a`: it is already defined at line 1, column 1; YAML keeps only this last one, "
         "and so do the other checks."),
        ("spec:\n  functions:\n    web: {type: hosting, type: backup}\n",
         {"spec": {"functions": {"web": {"type": "backup"}}}}, 3, 26,
         "Duplicate key `type`: it is already defined at line 3, column 11; YAML keeps only this last one, "
         "and so do the other checks."),
    ],
)
def test_a_duplicate_key_is_reported_and_loading_goes_on_with_the_last_value(text, data, line, column, message) -> None:
    document = load_document(text, filename="plan.yaml")
    assert document.data == data
    [finding] = document.findings
    assert (finding.rule, finding.line, finding.column, finding.message, finding.level, finding.title) == (
        "LOAD-DUPLICATE-KEY", line, column, message, Level.ERROR, "Duplicate key")


def test_file_too_large_reports_its_size(tmp_path: pathlib.Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: 1\n" + b"#" * (3 * MAX_BYTES))
    with pytest.raises(LoadError) as caught:
        load_document(big)
    [finding] = caught.value.findings
    assert (finding.rule, finding.file) == ("LOAD-TOO-LARGE", str(big))
    assert finding.message == "The file is over the 1 MiB limit for plans (3,145,733 bytes or more)."


def test_missing_file_and_directory_are_io_findings(tmp_path: pathlib.Path) -> None:
    for path, message in [
        (tmp_path / "nope.yaml", "Cannot read the file: No such file or directory."),
        (tmp_path, f"{tmp_path} is a directory, not a plan file."),
    ]:
        with pytest.raises(LoadError) as caught:
            load_document(path)
        [finding] = caught.value.findings
        assert (finding.rule, finding.line, finding.column, finding.message) == ("LOAD-IO", 1, 1, message)


PLAN = """\
# a comment
metadata:
  name: demo
spec:
  functions:
    web:
      type: hosting
      tier: critical
      sla: {availability: 99.9}
      notify:
        - ops@example.com
        - sre@example.com
  waivers:
    - policy: PRV-RES-001
      expires: 2027-01-31
"""


@pytest.mark.parametrize(("path", "mark"), [
    ((), (2, 1)),
    (("metadata", "name"), (3, 9)),  # a scalar: its value
    (("spec", "functions", "web"), (6, 5)),  # a block mapping: its key
    (("spec", "functions", "web", "tier"), (8, 13)),
    (("spec", "functions", "web", "sla"), (9, 12)),  # a flow mapping: its value
    (("spec", "functions", "web", "sla", "availability"), (9, 27)),
    (("spec", "functions", "web", "notify", 1), (12, 11)),
    (("spec", "waivers", 0), (14, 7)),
    (("spec", "waivers", 0, "expires"), (15, 16)),
    # Unknown paths fall back to the closest known ancestor.
    (("spec", "functions", "web", "sla", "responseMinutes"), (9, 12)),
    (("spec", "functions", "db", "type"), (5, 3)),
    (("nowhere",), (2, 1)),
])
def test_locate_points_where_a_reader_looks(path: tuple, mark: tuple[int, int]) -> None:
    assert load_document(PLAN).positions.locate(path) == mark


def test_locate_key_points_at_the_key() -> None:
    positions = load_document(PLAN).positions
    assert positions.locate_key(("spec", "functions", "web", "tier")) == (8, 7)
    assert positions.locate_key(("spec", "waivers", 0)) == (14, 7)  # no key: the value


def test_dates_become_dates_and_impossible_dates_stay_text() -> None:
    doc = load_document("expires: 2027-01-31\nends: 2028-02-30\nquoted: '2027-01-31'\n")
    assert doc.data == {"expires": dt.date(2027, 1, 31), "ends": "2028-02-30", "quoted": "2027-01-31"}


def test_keys_stay_as_written_and_sources_remember_non_text_scalars() -> None:
    doc = load_document("on: yes\ncountry: NO\nid: 0755\n1: x\nname: web\n")
    assert doc.data == {"on": True, "country": False, "id": 493, "1": "x", "name": "web"}
    assert doc.positions.sources == {("on",): "yes", ("country",): "NO", ("id",): "0755"}


def test_merge_keys_and_small_aliases_are_allowed() -> None:
    doc = load_document(
        "defaults: &d {tier: critical, data: pii}\n"
        "web:\n  <<: *d\n  data: public\n"
        "api:\n  <<: [{tier: standard}, *d]\n"
        "sla: &s {availability: 99.9}\nother: *s\n"
    )
    assert doc.data["web"] == {"tier": "critical", "data": "public"}
    assert doc.data["api"] == {"tier": "standard", "data": "pii"}
    assert doc.data["other"] == {"availability": 99.9}
    assert doc.positions.locate(("web", "data")) == (4, 9)


def test_bom_and_crlf_are_fine_and_columns_count_characters() -> None:
    doc = load_document("\ufeffa: 1\r\nnamé: [x, ✓, y]\r\n".encode("utf-8"))
    assert doc.data == {"a": 1, "namé": ["x", "✓", "y"]}
    assert doc.positions.locate(("namé", 2)) == (2, 14)


def test_a_path_is_read_from_disk_and_named_by_default(tmp_path: pathlib.Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text("a: 1\n")
    assert load_document(plan).filename == str(plan)
    assert load_document("a: 1\n").filename == "<string>"
