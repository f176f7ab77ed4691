"""Hostile input: the validate pipeline answers every file with located findings, never a traceback.

Property-based: hypothesis generates raw text and bytes, YAML-shaped noise,
and mutations of the real example plans (deleted keys, wrong types, huge
numbers, unicode, deep nesting, shared anchors, text edits). For every file,
`validate_file` returns a report whose findings all have a line and column
>= 1 inside the file, a known rule id, a message and a fix; no finding is the
pipeline's INTERNAL-ERROR (which is what an exception inside a check turns
into); and every output format renders the report.
"""

from __future__ import annotations

import copy
import datetime as dt
import pathlib
import re
import tempfile
from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from provision.cli.formats import registry
from provision.policies.config import PolicyConfig
from provision.schemas.findings import Level
from provision.validation.pipeline import INTERNAL_RULE, FileReport, validate_file
from tests.yaml_text import yaml_text

REPO = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
TODAY = dt.date(2026, 1, 15)
# What YAML counts as a line break, so a file's last line is where its findings may point at most.
LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
RULE_ID = re.compile(r"^(LOAD-[A-Z]+(-[A-Z]+)*|SCHEMA|XREF-[A-Z]+(-[A-Z]+)*|PRV-[A-Z]+-\d{3}|POLICY-CONFIG)$")

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LIGHT = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_workdir = tempfile.TemporaryDirectory(prefix="provision-fuzz-")
_PLAN_FILE = pathlib.Path(_workdir.name) / "plan.yaml"


def check(content: str | bytes) -> FileReport:
    """Validate `content` as a plan file and assert every invariant of the report."""
    data = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
    _PLAN_FILE.write_bytes(data)
    report = validate_file(_PLAN_FILE, policy_config=PolicyConfig(), today=TODAY)
    assert report.file == str(_PLAN_FILE)
    lines = len(LINE_BREAK.split(data.decode("utf-8", "replace")))
    for finding in report.findings:
        assert finding.rule != INTERNAL_RULE, f"a check raised: {finding.message}"
        assert RULE_ID.match(finding.rule), finding
        assert 1 <= finding.line <= lines, finding
        assert finding.column >= 1, finding
        assert isinstance(finding.message, str) and finding.message.strip(), finding
        assert isinstance(finding.fix, str) and finding.fix.strip(), finding
        assert finding.file == str(_PLAN_FILE)
    if report.plan is not None:
        assert not any(f.level is Level.ERROR for f in report.findings)
    return report


def render_everywhere(report: FileReport) -> None:
    for name in registry.names():
        rendered = registry.create(name, registry.Options(base_dir=_PLAN_FILE.parent)).render([report])
        assert isinstance(rendered, str) and rendered


# -- raw text -------------------------------------------------------------------------------

YAML_ALPHABET = st.sampled_from(list(":-[]{}&*!|>'\"#%@`?,.<=~ \t\n\r") + list("abcxyz019") + ["\u00e9", "\u2028", "\ufeff"])


@FUZZ
@given(st.text())
@example("[")  # the parser's end-of-stream mark sits past the last line; findings must not
@example("a: b\u2028c: [")
def test_any_text_gets_located_findings(text: str) -> None:
    check(text)


@FUZZ
@given(st.binary(max_size=2048))
def test_any_bytes_get_located_findings(data: bytes) -> None:
    check(data)


@FUZZ
@given(st.text(alphabet=YAML_ALPHABET, max_size=400))
def test_yaml_punctuation_soup_gets_located_findings(text: str) -> None:
    check(text)


# -- mutated valid plans ----------------------------------------------------------------------

def _example(path: pathlib.Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


EXAMPLE_DATA = [_example(p) for p in EXAMPLES]

HUGE_NUMBERS = st.sampled_from([10**400, -(10**30), 2**63, -1, 0, 1e308, -1e308, 1e-320, 2**31 - 1, 36501, 99.99999999])
UNICODE_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=0, max_size=40
)
# Values a schema accepts somewhere: swapping them in often keeps a plan valid, so policies run too.
PLAUSIBLE = st.sampled_from(
    [
        "prod", "eu", "gdpr", "critical", "pii", "msp", "eu-west-1", "env:OTHER_ID", "IE", "static-site", True, False,
        1, 24, 35, 99.9, 10000, dt.date(2020, 1, 1), dt.date(2031, 12, 31), [], {}, ["web"], ["gdpr", "gdpr"],
    ]
)
# Per key, values of the right type that change what the plan means: other regions, classes, references.
ALTERNATIVES: dict[str, list[Any]] = {
    "environment": ["dev", "test", "staging", "prod"],
    "region": ["us-east-1", "eu-central-1", "ap-southeast-2", "eu-west-2"],
    "copyToRegion": ["us-east-1", "eu-west-1", "eu-west-3"],
    "dataResidency": ["eu", "uk", "us", "ca", "ch", "apac", "global"],
    "compliance": [[], ["pci-dss"], ["hipaa", "gdpr"], ["soc2", "iso27001"]],
    "tier": ["critical", "important", "standard"],
    "data": ["public", "internal", "confidential", "pii", "regulated"],
    "provider": ["aws", "nightwatch", "claimsco", "nobody"],
    "protects": [["web"], ["nobody"], ["backups"]],
    "watches": [["web"], ["nobody"]],
    "partners": [["aws"], ["nobody"]],
    "services": [["guardduty"], ["cloudtrail"], ["config", "securityhub"]],
    "country": ["IE", "US", "CN", "RU", "DE"],
    "support": ["24x7", "business-hours"],
    "availability": [90, 99, 99.99, 100],
    "responseMinutes": [5, 240, 10000],
    "retentionDays": [1, 7, 35, 3650],
    "trailRetentionDays": [1, 90, 3650],
    "rpoHours": [1, 48, 168],
    "immutable": [True, False],
    "sftp": [True, False],
    "nat": [True, False],
    "monthlyUSD": [1, 50, 1000000],
    "contractEnds": [dt.date(2020, 1, 1), dt.date(2030, 1, 1)],
    "expires": [dt.date(2020, 1, 1), dt.date(2030, 1, 1)],
    "externalIdRef": ["env:OTHER_ID", "ssm:/x/y", "plain-secret-value"],
    "minSeverity": ["low", "critical"],
    "policy": ["PRV-RES-001", "PRV-NOPE-999"],
}
WRONG_TYPES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), UNICODE_TEXT,
    st.lists(st.integers(), max_size=3), st.dictionaries(UNICODE_TEXT, st.integers(), max_size=3), HUGE_NUMBERS,
    st.dates(),
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path inside `node` (the root included)."""
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, prefix + (index,))
    return found


def _get(node: Any, path: tuple) -> Any:
    for part in path:
        node = node[part]
    return node


def _nest(value: Any, depth: int, as_list: bool) -> Any:
    for _ in range(depth):
        value = [value] if as_list else {"deeper": value}
    return value


ACTIONS = ["delete", "wrong-type", "plausible", "huge", "unicode-key", "nest", "alias", "unknown-key"]


@st.composite
def semantic_variant(draw: st.DrawFn) -> dict[str, Any]:
    """An example plan with one to three values swapped for others of the right type (see ALTERNATIVES).

    Most stay schema-valid, so cross-references and policies get exercised, not only the loader.
    """
    plan = copy.deepcopy(draw(st.sampled_from(EXAMPLE_DATA)))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from([p for p in _paths(plan) if p and isinstance(p[-1], str) and p[-1] in ALTERNATIVES]))
        _get(plan, path[:-1])[path[-1]] = copy.deepcopy(draw(st.sampled_from(ALTERNATIVES[path[-1]])))
    return plan


@st.composite
def mutated_plan(draw: st.DrawFn) -> dict[str, Any]:
    """An example plan with one to four mutations at random places."""
    plan = copy.deepcopy(draw(st.sampled_from(EXAMPLE_DATA)))
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(plan) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _get(plan, path[:-1]), path[-1]
        action = draw(st.sampled_from(ACTIONS))
        if action == "delete":
            del parent[key]
        elif action == "wrong-type":
            parent[key] = draw(WRONG_TYPES)
        elif action == "plausible":
            parent[key] = draw(PLAUSIBLE)
        elif action == "huge":
            parent[key] = draw(HUGE_NUMBERS)
        elif action == "nest":
            parent[key] = _nest(parent[key], draw(st.integers(1, 70)), draw(st.booleans()))
        elif action == "alias":
            # The same object twice: the YAML dump writes an anchor and an alias.
            target_path = draw(st.sampled_from(paths))
            parent[key] = _get(plan, target_path) if not _contains(_get(plan, target_path), parent) else parent[key]
        elif isinstance(parent, dict):
            new_key = draw(UNICODE_TEXT) if action == "unicode-key" else draw(st.sampled_from(["extra", "Type", "spec", "name"]))
            parent[new_key] = parent.pop(key) if action == "unicode-key" else draw(WRONG_TYPES)
    return plan


def _contains(node: Any, needle: Any) -> bool:
    """Whether `needle` is `node` or inside it (an alias to an ancestor would be a cycle)."""
    if node is needle:
        return True
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    return any(_contains(child, needle) for child in children)


def dump(plan: Any) -> str:
    return yaml_text(plan, allow_unicode=True, width=4096)


@FUZZ
@given(st.one_of(semantic_variant(), mutated_plan()))
def test_mutated_plans_get_located_findings(plan: dict[str, Any]) -> None:
    render_everywhere(check(dump(plan)))


@st.composite
def edited_text(draw: st.DrawFn) -> str:
    """An example plan's text with character-level edits: cuts, insertions, tabs, duplicated lines."""
    text = draw(st.sampled_from(EXAMPLES)).read_text()
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["cut", "insert", "tab", "duplicate-line", "anchor"]))
        if action == "cut":
            text = text[:at] + text[at + draw(st.integers(1, 80)) :]
        elif action == "insert":
            text = text[:at] + draw(st.text(alphabet=YAML_ALPHABET, max_size=12)) + text[at:]
        elif action == "tab":
            text = text[:at] + "\t" + text[at:]
        elif action == "duplicate-line":
            lines = text.splitlines(keepends=True) or [""]
            index = draw(st.integers(0, len(lines) - 1))
            text = "".join(lines[: index + 1] + [lines[index]] + lines[index + 1 :])
        else:
            name = draw(st.sampled_from(["a", "b", "x1"]))
            text = text[:at] + draw(st.sampled_from([f" &{name} ", f" *{name}", f"\n<<: *{name}\n"])) + text[at:]
    return text


@FUZZ
@given(edited_text())
def test_edited_plan_text_gets_located_findings(text: str) -> None:
    check(text)


@LIGHT
@given(st.integers(2, 12), st.integers(2, 12))
def test_alias_fan_out_is_refused_or_fine(width: int, levels: int) -> None:
    # A "billion laughs" of any shape: either small enough to load, or one LOAD-ALIAS finding.
    lines = ["a0: &a0 [" + ", ".join(["x"] * width) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels)]
    report = check("\n".join(lines) + "\n")
    expanded = sum(width**i for i in range(1, levels + 1))
    if expanded > 10_000:
        assert [f.rule for f in report.findings] == ["LOAD-ALIAS"]


def test_mutations_reach_every_stage() -> None:
    """The generators are not all stopped by the loader: schema, cross-references and policies run too."""
    seen: set[str] = set()

    # A coverage claim over random draws is flaky by nature: derandomize makes the draws fixed.
    @settings(
        max_examples=100, deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(st.one_of(semantic_variant(), mutated_plan()))
    def collect(plan: dict[str, Any]) -> None:
        report = check(dump(plan))
        seen.update(f.rule.split("-")[0] for f in report.findings)
        if report.plan is not None:
            seen.add("PLAN")

    collect()
    assert {"LOAD", "SCHEMA", "XREF", "PRV", "PLAN"} <= seen, seen
