"""Safe YAML loading of plan files, with a line:column for every JSON path.

Every way a file can be unreadable becomes a Finding that says where, what and
how to fix it, raised as LoadError; no input produces a traceback. Limits:

- size: at most 1 MiB (MAX_BYTES); a plan is a few kilobytes;
- nesting: at most 50 levels (yaml_build.MAX_DEPTH);
- aliases: at most 10,000 values produced by expanding them (yaml_build.MAX_ALIAS_NODES);
- one document per file, a mapping at the top, UTF-8 (a BOM is fine), spaces
  for indentation, only the standard YAML tags.
"""

from __future__ import annotations

import pathlib
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from provision.schemas.findings import Finding, Level
from provision.schemas.positions import Mark, PositionMap
from provision.schemas.yaml_build import MAX_DEPTH, BuildError, Builder, mark_of

# The C parser is several times faster; the pure-Python one behaves the same.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_BYTES = 1024 * 1024
# Below this bound on nesting (see _nesting_bound), composing is safe as is;
# above it, a streaming pass first rejects deep nesting, which would otherwise
# take libyaml quadratic time and overflow the C stack.
_NESTING_SAFE = 1000

_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}
_INDENT = re.compile(r"^[ \t]*", re.MULTILINE)


@dataclass
class Document:
    """A loaded plan document: plain data and where each part of it sits."""

    data: dict[str, Any]
    positions: PositionMap
    filename: str
    findings: list[Finding] = field(default_factory=list)  # problems that did not stop loading


# The title of each loader rule, as every output format shows it.
LOAD_TITLES = {
    "LOAD-IO": "The file cannot be read",
    "LOAD-TOO-LARGE": "The file is too large",
    "LOAD-ENCODING": "The file is not UTF-8",
    "LOAD-BINARY": "The file is binary",
    "LOAD-EMPTY": "The file is empty",
    "LOAD-MULTI-DOC": "More than one YAML document",
    "LOAD-NOT-MAPPING": "The document is not a mapping",
    "LOAD-SYNTAX": "Invalid YAML",
    "LOAD-TABS": "Tabs used for indentation",
    "LOAD-DEPTH": "The document nests too deeply",
    "LOAD-ALIAS": "Alias or anchor problem",
    "LOAD-TAG": "Unsupported YAML tag",
    "LOAD-DUPLICATE-KEY": "Duplicate key",
}


class LoadError(Exception):
    """The file could not be loaded; `findings` says why (usually one)."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("; ".join(f.message for f in findings))
        self.findings = findings


class _Fail(Exception):
    def __init__(self, rule: str, mark: Mark, message: str, fix: str) -> None:
        super().__init__(message)
        self.rule, self.mark, self.message, self.fix = rule, mark, message, fix


def load_document(source: pathlib.Path | str | bytes, *, filename: str | None = None) -> Document:
    """Load one plan document.

    A `pathlib.Path` is read from disk; a `str` or `bytes` is the document text
    itself. `filename` is what findings name (default: the path, or "<string>").
    Raises LoadError.
    """
    if filename is None:
        filename = str(source) if isinstance(source, pathlib.PurePath) else "<string>"
    try:
        if isinstance(source, pathlib.PurePath):
            source = _read(pathlib.Path(source))
        text = _decode(source) if isinstance(source, bytes) else _check_text(source)
        return _parse(text, filename)
    except _Fail as fail:
        line, column = fail.mark
        raise LoadError([Finding(filename, line, column, fail.rule, Level.ERROR, fail.message, fail.fix,
                                 title=LOAD_TITLES.get(fail.rule, ""))]) from None
    except BuildError as err:
        raise LoadError([_finding(filename, err)]) from None


def _finding(filename: str, err: BuildError) -> Finding:
    line, column = err.mark
    return Finding(filename, line, column, err.rule, Level.ERROR, err.message, err.fix, path=err.path,
                   title=LOAD_TITLES.get(err.rule, ""))


def _read(path: pathlib.Path) -> bytes:
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except IsADirectoryError:
        raise _Fail("LOAD-IO", (1, 1), f"{path} is a directory, not a plan file.", "Name a .yaml file.") from None
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise _Fail("LOAD-IO", (1, 1), f"Cannot read the file: {reason}.",
                    "Check that the file exists and that you may read it.") from None
    if len(data) > MAX_BYTES:
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        raise _too_large(max(size, len(data)))
    return data


def _too_large(size: int) -> _Fail:
    return _Fail("LOAD-TOO-LARGE", (1, 1),
                 f"The file is over the {MAX_BYTES // 1024 // 1024} MiB limit for plans ({size:,} bytes or more).",
                 "Split the plan into several files, one per environment or business unit.")


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise _too_large(len(data))
    for bom, encoding in _BOMS.items():
        if data.startswith(bom):
            raise _Fail("LOAD-ENCODING", (1, 1), f"The file is encoded as {encoding}; plans must be UTF-8.",
                        "Save the file as UTF-8 (your editor's 'Save with encoding' option).")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise _Fail("LOAD-BINARY", _byte_mark(data, nul), "The file contains a NUL byte: it is binary, not a YAML plan.",
                    "Point the command at the plan's .yaml file.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        bad = data[err.start]
        raise _Fail("LOAD-ENCODING", _byte_mark(data, err.start),
                    f"Byte 0x{bad:02X} is not valid UTF-8 (the file may be Latin-1 or Windows-1252).",
                    "Save the file as UTF-8 (your editor's 'Save with encoding' option).") from None


def _check_text(text: str) -> str:
    if len(text) > MAX_BYTES:
        raise _too_large(len(text.encode("utf-8", "surrogatepass")))
    nul = text.find("\x00")
    if nul >= 0:
        raise _Fail("LOAD-BINARY", _char_mark(text, nul), "The text contains a NUL character: it is binary, not a YAML plan.",
                    "Point the command at the plan's .yaml file.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise _Fail("LOAD-ENCODING", _char_mark(text, err.start),
                    f"Character U+{ord(text[err.start]):04X} cannot be encoded as UTF-8 (a lone surrogate).",
                    "Remove the character, or save the file as UTF-8.") from None
    return text.removeprefix("\ufeff")


def _byte_mark(data: bytes, offset: int) -> Mark:
    start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[start:offset].decode("utf-8", "replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column


def _char_mark(text: str, offset: int) -> Mark:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _parse(text: str, filename: str) -> Document:
    if _nesting_bound(text) > _NESTING_SAFE:
        _reject_deep_nesting(text)
    loader = _Loader(text)
    try:
        if not loader.check_node():
            raise _empty()
        root = loader.get_node()
        if loader.check_node():
            raise _Fail("LOAD-MULTI-DOC", _second_document(text, root),
                        "The file holds more than one YAML document; a plan file holds exactly one.",
                        "Move each plan to its own file, or remove the extra `---` line.")
        if isinstance(root, yaml.ScalarNode) and root.tag.endswith(":null"):
            raise _empty()
        if not isinstance(root, yaml.MappingNode):
            kind = "a list" if isinstance(root, yaml.SequenceNode) else "a single value"
            raise _Fail("LOAD-NOT-MAPPING", mark_of(root), f"The document is {kind}; a plan is a mapping of keys.",
                        "Start the file with `apiVersion: provision/v1` and `kind: OutsourcingPlan`.")
        builder = Builder(loader)
        builder.positions.anchors[()] = mark_of(root)
        data = builder.build(root)
        found = [_finding(filename, problem) for problem in builder.problems]
        return Document(data, builder.positions, filename, found)
    except yaml.MarkedYAMLError as err:
        raise _syntax_error(text, err) from None
    except yaml.reader.ReaderError as err:
        # libyaml counts bytes of the UTF-8 text; the Python reader counts characters.
        at = _char_mark(text, err.position) if err.encoding == "unicode" else _byte_mark(text.encode(), err.position)
        raise _Fail("LOAD-BINARY", at,
                    f"Character U+{err.character:04X} is not allowed in YAML: {err.reason}.",
                    "Remove the character; plans are plain text.") from None
    except yaml.YAMLError as err:
        raise _Fail("LOAD-SYNTAX", (1, 1), f"The file is not valid YAML: {err}.", "Fix the YAML syntax.") from None
    except RecursionError:
        raise _Fail("LOAD-DEPTH", (1, 1), f"The document nests deeper than {MAX_DEPTH} levels.",
                    "Flatten the structure: a plan needs fewer than 10 levels.") from None
    finally:
        loader.dispose()


def _empty() -> _Fail:
    return _Fail("LOAD-EMPTY", (1, 1), "The file is empty: it holds no YAML document.",
                 "Write a plan: see examples/saas-startup.yaml, or run `provision schema` for the format.")


def _second_document(text: str, first: yaml.Node) -> Mark:
    lines = text.split("\n")  # as libyaml counts lines (splitlines also breaks at \f, \x1c...)
    for number in range(first.end_mark.line, len(lines)):
        if lines[number].startswith("---"):
            return number + 1, 1
    return first.end_mark.line + 1, 1


def _nesting_bound(text: str) -> int:
    """A cheap upper bound on how deep the text can nest.

    Flow collections need a bracket per level, compact block collections a `-`
    or `?`, and other block collections more indentation than their parent
    (a list may share its key's indentation, hence the 2x).
    """
    indent = max((len(m) for m in _INDENT.findall(text)), default=0)
    return sum(text.count(c) for c in "[{-?") + 2 * (indent + 1)


def _reject_deep_nesting(text: str) -> None:
    """Reject nesting deeper than MAX_DEPTH before any composing.

    The decision is ours, not the parser's: libyaml has a nesting limit of its
    own in some versions, so when the fast pass stops on an error the
    pure-Python parser, which has none, streams the text again.
    """
    for loader_class in (_Loader, yaml.SafeLoader):
        try:
            _stream_depth(text, loader_class)
            return
        except yaml.YAMLError:
            continue  # a syntax error (the real parse reports it) or libyaml's own limit


def _stream_depth(text: str, loader_class: type) -> None:
    """Stream events, stopping at the first one nested deeper than MAX_DEPTH."""
    loader = loader_class(text)
    depth = 0
    try:
        while (event := loader.get_event()) is not None:
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _Fail("LOAD-DEPTH", mark_of(event), f"The document nests deeper than {MAX_DEPTH} levels.",
                                "Flatten the structure: a plan needs fewer than 10 levels.")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.StreamEndEvent):
                return
    finally:
        loader.dispose()


_SYNTAX_FIXES = (
    ("mapping values are not allowed", "Quote the value if it contains ': ', or fix the indentation of this line."),
    ("could not find expected ':'", "Add ':' after the key, or close the quote or bracket opened before."),
    ("did not find expected key", "Check the indentation: keys of one mapping line up in the same column."),
    ("did not find expected", "Close the bracket or quote, or separate the items with commas."),
    ("found undefined alias", "Define the anchor (`&name`) before using the alias (`*name`)."),
    ("found duplicate anchor", "Give each anchor (`&name`) a different name."),
    ("end of stream", "Close the quote or bracket opened earlier."),
    ("expected <block end>", "Check the indentation: this line is not aligned with its siblings."),
)


def _syntax_error(text: str, err: yaml.MarkedYAMLError) -> _Fail:
    mark = err.problem_mark or err.context_mark
    line, column = _within_text(text, (mark.line + 1, mark.column + 1)) if mark else (1, 1)
    tab = _first_indent_tab(text, line)
    if tab:
        return _Fail("LOAD-TABS", tab, "A tab is used for indentation; YAML allows only spaces there.",
                     "Replace the tab with spaces (set your editor to insert spaces for YAML).")
    problem = err.problem or err.context or "invalid YAML"
    rule = "LOAD-ALIAS" if "alias" in problem or "anchor" in problem else "LOAD-SYNTAX"
    message = f"YAML syntax error: {problem}"
    if err.context and err.context_mark and err.problem:
        message += f" ({err.context} at line {_within_text(text, (err.context_mark.line + 1, 1))[0]})"
    fix = next((fix for needle, fix in _SYNTAX_FIXES if needle in problem),
               "Fix the YAML syntax here: check indentation, quotes, brackets and the ': ' after keys.")
    return _Fail(rule, (line, column), message + ".", fix)


_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _within_text(text: str, at: Mark) -> Mark:
    """`at`, or the end of the last line when the parser points past it (end of stream, no final newline)."""
    lines = _LINE_BREAK.split(text)
    if at[0] <= len(lines):
        return at
    return len(lines), len(lines[-1]) + 1


def _first_indent_tab(text: str, up_to_line: int) -> Mark | None:
    """The first tab in the leading whitespace of lines 1..up_to_line, if any."""
    for number, indent in enumerate(_INDENT.findall(text)[:up_to_line], start=1):
        if "\t" in indent:
            return number, indent.index("\t") + 1
    return None
