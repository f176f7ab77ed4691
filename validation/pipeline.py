"""The validate pipeline: load -> schema -> typed plan -> cross-references and placement -> policies.

Each step runs only on what the previous one accepted, and every problem
becomes a Finding; `validate_file` never raises for any file content. Imports
neither pulumi nor boto3, so `provision validate` stays fast in CI.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import glob
import os
import pathlib
import re
from dataclasses import dataclass, field
from typing import Sequence

from provision.schemas.findings import Finding, Level
from provision.schemas.loader import Document, LoadError, load_document
from provision.schemas.model import Plan, build_plan
from provision.schemas.placement import check_placement
from provision.schemas.positions import PositionMap
from provision.schemas.schema_check import check_schema
from provision.schemas.xref import check_references
from provision.validation.errors import InputError, PolicyConfigRejected

INTERNAL_RULE = "INTERNAL-ERROR"
CONFIG_RULE = "POLICY-CONFIG"
OUTSIDE_RULE = "LOAD-OUTSIDE-TREE"
DEFAULTS = "defaults"  # the label of the built-in policy config


@dataclass
class FileReport:
    file: str  # as given/expanded, for display
    findings: list[Finding] = field(default_factory=list)  # sorted by (line, column, rule)
    # The typed plan once it passed every check but the policies; None otherwise.
    plan: Plan | None = None
    positions: PositionMap | None = None
    # The policy config applied (or that would apply): its path, or "defaults".
    policy_config: str = DEFAULTS


def validate_file(path: pathlib.Path, *, policy_config=None, today: dt.date | None = None,
                  confine: bool = False) -> FileReport:
    """Check one plan file. Without `policy_config`, the nearest provision-policies.yaml applies.

    With `confine`, a plan or config file that resolves outside its working tree
    (see validation.confine) is refused with a finding instead of being read.
    """
    from provision.policies.origin import PlanOrigin

    path = pathlib.Path(path)
    if confine:
        from provision.validation.confine import escapes, refusal

        target = escapes(path)
        if target is not None:
            report = FileReport(str(path))
            report.findings.append(Finding(
                str(path), 1, 1, OUTSIDE_RULE, Level.ERROR, refusal(str(path), target),
                "Commit the plan itself instead of a symlink, or validate the file where it really is.",
                title="File outside the working tree"))
            return report
    return validate_source(path, filename=str(path), policy_config=policy_config, today=today, config_dir=path.parent,
                           origin=PlanOrigin.for_file(path), confine=confine)


def validate_source(
    source: pathlib.Path | str | bytes,
    *,
    filename: str,
    policy_config=None,
    today: dt.date | None = None,
    config_dir: pathlib.Path | None = None,
    origin=None,
    confine: bool = False,
) -> FileReport:
    """Check a plan given as a path, or as its text (see loader.load_document).

    `config_dir` is where the search for provision-policies.yaml starts when no
    `policy_config` is given; without either, the built-in defaults apply.
    `origin` (policies.origin.PlanOrigin) is where files the plan names are looked up.
    """
    report = FileReport(filename)
    try:
        _run(report, source, policy_config, today or dt.date.today(), config_dir, origin, confine)
    except Exception as error:  # noqa: BLE001 - a bug must become a finding, not a traceback
        report.plan = None
        report.findings.append(Finding(
            filename, 1, 1, INTERNAL_RULE, Level.ERROR,
            f"provision could not check this file: {type(error).__name__}: {error}",
            "This is a bug in provision; please report it with the file that triggers it.", title="Internal error"))
    report.findings.sort(key=lambda f: (f.line, f.column, f.rule))
    return report


def _run(report: FileReport, source, policy_config, today: dt.date, config_dir: pathlib.Path | None,
         origin, confine: bool) -> None:
    if policy_config is None:
        try:
            policy_config = _config_near(config_dir, confine)
        except _ConfigProblem as problem:
            report.findings.append(problem.finding)  # the plan is still checked; only policies cannot run
            report.policy_config = f"{problem.finding.file} (not applied: invalid)"
    if policy_config is not None:
        report.policy_config = policy_config.label
    try:
        document = load_document(source, filename=report.file)
    except LoadError as error:
        report.findings.extend(error.findings)
        return
    report.positions = document.positions
    report.findings.extend(document.findings)  # problems the loader could step past (duplicate keys)
    schema_findings = check_schema(document)
    report.findings.extend(schema_findings)
    broken = _broken_functions(schema_findings)
    if broken is None:
        return
    checked = _without(document, broken) if broken else document
    if broken and check_schema(checked):  # e.g. the functions left do not make a plan
        return
    plan = build_plan(checked.data)
    references = [f for f in check_references(plan, checked) if not _names_dropped(f, checked, broken)]
    report.findings.extend(references)
    if references:
        return
    # Names, regions and zones: independent of the policies, which still run after them.
    report.findings.extend(check_placement(plan, checked))
    if policy_config is None:  # an invalid config was reported above: only the policies cannot run
        return
    from provision.policies.engine import evaluate  # the catalogue loads only when a plan gets this far

    results = evaluate(plan, config=policy_config, today=today, origin=origin)
    if broken:
        results = _independent_of(broken, results, document, policy_config, today, origin)
    else:
        report.plan = None if any(f.level is Level.ERROR for f in report.findings) else plan
    for result in results:
        line, column = document.positions.locate(result.violation.path)
        report.findings.append(result.to_finding(report.file, line, column))


# ---- one run, every knowable problem ----------------------------------------------------------
# Schema errors inside functions do not stop the run: the functions at fault are set aside and
# the rest of the plan goes through cross-references and policies. What those checks say about
# the functions set aside (or what depends on them) is not knowable, so it is not reported.


def _broken_functions(findings: list[Finding]) -> set[str] | None:
    """The functions the schema errors lie in; None when one lies elsewhere (nothing more can be
    checked: every check reads the header, providers and waivers), an empty set when none."""
    broken: set[str] = set()
    for finding in findings:
        if finding.level is not Level.ERROR:
            continue
        path = finding.path
        if len(path) < 3 or path[:2] != ("spec", "functions") or not isinstance(path[2], str):
            return None
        broken.add(path[2])
    return broken


def _without(document: Document, names: set[str]) -> Document:
    """The document with functions `names` left out (positions stay valid for the rest)."""
    spec = dict(document.data["spec"])
    spec["functions"] = {k: v for k, v in spec["functions"].items() if k not in names}
    return Document({**document.data, "spec": spec}, document.positions, document.filename)


def _names_dropped(finding: Finding, document: Document, broken: set[str]) -> bool:
    """A reference to a function set aside is not dangling: it is only unchecked."""
    if finding.rule != "XREF-FUNCTION":
        return False
    value = document.data
    for part in finding.path:
        value = value[part]
    return value in broken


def _independent_of(broken: set[str], results: list, document: Document, config, today: dt.date, origin) -> list:
    """The policy results of the plan without the broken functions that hold with them too.

    A result that disappears once they are back (as written, however wrong) depends on them:
    it is not reported. When they cannot be read back at all, no policy result is.
    """
    from provision.policies.engine import evaluate

    try:
        whole = build_plan(document.data)
    except Exception:  # noqa: BLE001 - too broken to stand in for itself
        return []
    key = lambda r: (r.policy.id, r.violation.path, r.violation.message)  # noqa: E731
    seen = {key(r) for r in evaluate(whole, config=config, today=today, origin=origin, skip_failing=True)}
    return [r for r in results if key(r) in seen]


def validate_paths(args: Sequence[str], *, policy_config_path: str | None = None,
                   today: dt.date | None = None, allow_outside: bool = False) -> list[FileReport]:
    """Check every plan the arguments name (see expand_paths); InputError when one names nothing.

    Plan and config files that resolve outside their working tree are refused unless `allow_outside`.
    """
    paths = expand_paths(args)
    config = None
    if policy_config_path:
        config = load_policy_config(pathlib.Path(policy_config_path), confine=not allow_outside)
    return [validate_file(path, policy_config=config, today=today, confine=not allow_outside) for path in paths]


def load_plan(path: pathlib.Path, *, policy_config=None, today: dt.date | None = None) -> tuple[Plan | None, FileReport]:
    """For plan/apply/diff: the typed plan (None when the file has ERROR findings) and its report.

    A plan with mandatory violations is returned: the caller decides whether
    they stop it (apply) or not (destroy, status).
    """
    report = validate_file(pathlib.Path(path), policy_config=policy_config, today=today)
    has_errors = any(f.level is Level.ERROR for f in report.findings)
    return (None if has_errors else report.plan), report


def load_policy_config(path: pathlib.Path | None, search_from: pathlib.Path | None = None, *, confine: bool = False):
    """The policy config at `path` (or found from `search_from`); PolicyConfigRejected when invalid
    or, with `confine`, when it resolves outside its working tree."""
    from provision.policies.config import PolicyConfigError, find_config, load_config

    if path is None and search_from is not None:
        path = find_config(pathlib.Path(search_from))
    if confine and path is not None:
        _refuse_outside(pathlib.Path(path))
    try:
        return load_config(path)
    except PolicyConfigError as error:
        raise PolicyConfigRejected(str(error)) from None


def _refuse_outside(path: pathlib.Path) -> None:
    from provision.validation.confine import escapes, refusal

    target = escapes(path)
    if target is not None:
        raise PolicyConfigRejected(refusal(str(path), target, "policy config"))


class _ConfigProblem(Exception):
    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


def _config_near(directory: pathlib.Path | None, confine: bool = False):
    from provision.policies.config import PolicyConfig, PolicyConfigError, find_config

    if directory is None:
        return PolicyConfig()
    found = find_config(directory)
    if found is None:
        return PolicyConfig()
    if confine:
        from provision.validation.confine import escapes, refusal

        target = escapes(found)
        if target is not None:
            raise _ConfigProblem(Finding(
                _shown(found), 1, 1, OUTSIDE_RULE, Level.ERROR, refusal(_shown(found), target, "policy config"),
                "Commit provision-policies.yaml itself instead of a symlink.", title="File outside the working tree"))
    try:
        stamp = found.stat().st_mtime_ns
    except OSError:
        stamp = 0
    try:
        return _cached_config(str(found), stamp)
    except PolicyConfigError as error:
        raise _ConfigProblem(Finding(
            _shown(found), error.line or 1, error.column or 1, CONFIG_RULE, Level.ERROR,
            f"The policy config is invalid: {error.message}.",
            "Fix provision-policies.yaml (see `provision policies` for ids and params), or pass --policy-config.",
            title="Invalid policy config")) from None


def _shown(path: pathlib.Path) -> str:
    """`path` as reports show it: relative to the working directory when under it."""
    try:
        return str(pathlib.Path(path).relative_to(pathlib.Path.cwd().resolve()))
    except ValueError:
        return str(path)


@functools.lru_cache(maxsize=32)
def _cached_config(path: str, stamp: int):
    # Keyed by modification time: many plans in one directory share one parse.
    from provision.policies.config import load_config

    return load_config(pathlib.Path(path))


# ---- expanding command-line paths -------------------------------------------------------------

_PLAN_SUFFIXES = (".yaml", ".yml")
_KIND_LINE = re.compile(r"^kind:[ \t]*['\"]?([A-Za-z]+)", re.MULTILINE)
_API_LINE = re.compile(r"^apiVersion:[ \t]*['\"]?provision/", re.MULTILINE)
_SNIFF_BYTES = 64 * 1024


def expand_paths(args: Sequence[str]) -> list[pathlib.Path]:
    """The plan files the arguments name, in order, without repeats.

    A file is taken as is. A directory is searched recursively, and a glob
    (`plans/**/*.yaml`) is expanded; files found that way are kept when they are
    .yaml/.yml files that look like plans (a top-level `kind: OutsourcingPlan`,
    even misspelt, or `apiVersion: provision/...`), so that a policy config or
    CI file next to the plans is left alone. Hidden directories are skipped.
    Raises InputError for an argument that names no plan.
    """
    result: list[pathlib.Path] = []
    seen: set[str] = set()
    for arg in args:
        found = _expand(arg)
        if not found:
            raise InputError(_nothing_found(arg))
        for path in found:
            key = os.path.normcase(os.path.abspath(path))
            if key not in seen:
                seen.add(key)
                result.append(path)
    return result


def _nothing_found(arg: str) -> str:
    if glob.has_magic(arg):
        return f"'{arg}' matches no plan files."
    if not os.path.exists(arg):
        return f"'{arg}' does not exist."
    return f"'{arg}' holds no plan files (YAML files with `kind: OutsourcingPlan`)."


def _expand(arg: str) -> list[pathlib.Path]:
    if glob.has_magic(arg):
        found: list[pathlib.Path] = []
        for path in sorted(map(pathlib.Path, glob.glob(arg, recursive=True))):
            found.extend(_plans_under(path) if path.is_dir() else [path] if _looks_like_plan(path) else [])
        return found
    path = pathlib.Path(arg)
    if path.is_dir():
        return _plans_under(path)
    return [path] if path.exists() else []


def _plans_under(directory: pathlib.Path) -> list[pathlib.Path]:
    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(pathlib.Path(root, name) for name in files if _looks_like_plan(pathlib.Path(root, name)))
    return sorted(found)


def _looks_like_plan(path: pathlib.Path) -> bool:
    if not path.name.endswith(_PLAN_SUFFIXES) or not path.is_file():
        return False
    if path.is_symlink():
        from provision.validation.confine import escapes

        if escapes(path) is not None:
            return True  # not read to sniff it: validate_file refuses it, visibly, unless allowed
    try:
        with path.open("rb") as stream:
            head = stream.read(_SNIFF_BYTES).decode("utf-8", "replace")
    except OSError:
        return True  # unreadable: let validation report it rather than skip it silently
    kind = _KIND_LINE.search(head)
    if kind and difflib.SequenceMatcher(None, kind.group(1).lower(), "outsourcingplan").ratio() >= 0.8:
        return True
    return bool(_API_LINE.search(head))
