"""Cross-reference checks: names in a schema-valid plan point at things that exist.

Rule ids:
- XREF-PROVIDER: a function's provider is not defined;
- XREF-FUNCTION: backup `protects`, monitoring `watches` or a waiver's
  `function` names no function;
- XREF-SELF: a backup protects itself, or a monitoring function watches itself;
- XREF-CYCLE: functions protect or watch each other in a cycle (each must be
  built after the other, so the plan cannot be provisioned);
- XREF-PARTNER: a data exchange partner is not an external provider (msp or
  bpo), or a data exchange has no external partner at all;
- XREF-POLICY: a waiver names no policy of the catalogue.

Regions, zones and physical names are checked next to these (schemas.placement).
A function may share a provider's name: tags keep them apart
(`provision:function` vs `provision:provider`).

Policies assume these hold, so the pipeline runs them only on a plan without
XREF findings.
"""

from __future__ import annotations

import difflib
from typing import Iterable, Iterator

from provision.schemas.findings import Finding, Level
from provision.schemas.loader import Document
from provision.schemas.model import Path, Plan
from provision.schemas.schema_messages import dotted

_TITLE = "Plan refers to something that does not exist"


def check_references(plan: Plan, document: Document) -> list[Finding]:
    """Every dangling or clashing name in `plan`, located in `document`."""
    problems = [*_providers(plan), *_functions(plan), *_cycles(plan), *_partners(plan), *_waivers(plan)]
    findings = []
    for rule, path, message, fix in problems:
        line, column = document.positions.locate(path)
        findings.append(Finding(document.filename, line, column, rule, Level.ERROR, message, fix, path=path, title=_TITLE))
    return findings


Problem = tuple[str, Path, str, str]


def _choose(name: str, known: Iterable[str], what: str) -> str:
    known = sorted(known)
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f"Did you mean `{close[0]}`?"
    return f"Use one of the {what}: {', '.join(known)}." if known else f"Define {what} first."


def _providers(plan: Plan) -> Iterator[Problem]:
    for function in plan.functions.values():
        if function.provider not in plan.providers:
            yield ("XREF-PROVIDER", function.path + ("provider",),
                   f"Function `{function.name}` names provider `{function.provider}`, which is not defined under `spec.providers`.",
                   _choose(function.provider, plan.providers, "providers"))


_FUNCTION_LISTS = {"backup": "protects", "monitoring": "watches"}


def _functions(plan: Plan) -> Iterator[Problem]:
    for function in plan.functions.values():
        key = _FUNCTION_LISTS.get(function.type)
        if key is None:
            continue
        for index, target in enumerate(function.settings.get(key, ())):
            path = function.settings_path + (key, index)
            if target == function.name:
                verb = "protect" if key == "protects" else "watch"
                yield ("XREF-SELF", path, f"`{dotted(path)}`: function `{target}` cannot {verb} itself.",
                       f"Remove `{target}` from `{key}`.")
            elif target not in plan.functions:
                yield ("XREF-FUNCTION", path, f"`{dotted(path)}` names function `{target}`, which does not exist.",
                       _choose(target, set(plan.functions) - {function.name}, "functions"))


def _cycles(plan: Plan) -> Iterator[Problem]:
    """One finding per cycle of protects/watches references, at the reference that closes it."""
    edges: dict[str, list[tuple[str, Path, str]]] = {}
    for function in plan.functions.values():
        key = _FUNCTION_LISTS.get(function.type)
        targets = function.settings.get(key, ()) if key else ()
        edges[function.name] = [
            (t, function.settings_path + (key, i), f"`{function.name}` {'protects' if key == 'protects' else 'watches'} `{t}`")
            for i, t in enumerate(targets)
            if t in plan.functions and t != function.name
        ]
    finished: set[str] = set()

    def visit(name: str, trail: list[tuple[str, Path, str]]) -> Iterator[Problem]:
        on_trail = [step[0] for step in trail]
        for target, path, says in edges[name]:
            if target in on_trail:
                loop = [step[2] for step in trail[on_trail.index(target) + 1 :]] + [says]
                yield ("XREF-CYCLE", path,
                       f"Functions depend on each other in a cycle: {', '.join(loop)}: none of them can be built before the others.",
                       f"Remove `{target}` from `{dotted(path[:-1])}`, or another reference of the cycle.")
            elif target not in finished:
                yield from visit(target, [*trail, (target, path, says)])
        finished.add(name)

    for name in plan.functions:
        if name not in finished:
            yield from visit(name, [(name, (), "")])


def _partners(plan: Plan) -> Iterator[Problem]:
    external = {name for name, provider in plan.providers.items() if provider.external}
    for function in plan.functions_of_type("data-exchange"):
        partners = function.settings.get("partners")
        if partners is None:
            own = plan.providers.get(function.provider)
            if own is not None and not own.external:
                yield ("XREF-PARTNER", function.settings_path,
                       f"Data exchange `{function.name}` has no external partner: its provider `{own.name}` is `cloud` "
                       "and `partners` is not set.",
                       "List the vendors under `partners:`, or make the bpo vendor the function's provider.")
            continue
        for index, partner in enumerate(partners):
            path = function.settings_path + ("partners", index)
            if partner not in plan.providers:
                yield ("XREF-PARTNER", path, f"`{dotted(path)}` names provider `{partner}`, which is not defined.",
                       _choose(partner, external, "external providers"))
            elif partner not in external:
                yield ("XREF-PARTNER", path,
                       f"`{dotted(path)}` names `{partner}`, a cloud provider: partners are external vendors (msp or bpo).",
                       f"Remove `{partner}`, or list an msp or bpo provider.")


def _waivers(plan: Plan) -> Iterator[Problem]:
    from provision.policies.registry import get, ids

    for waiver in plan.waivers:
        try:
            get(waiver.policy)
        except KeyError:
            path = waiver.path + ("policy",)
            yield ("XREF-POLICY", path, f"`{dotted(path)}` names policy `{waiver.policy}`, which does not exist.",
                   _choose(waiver.policy, ids(), "policy ids (`provision policies` lists them)"))
        if waiver.function is not None and waiver.function not in plan.functions:
            path = waiver.path + ("function",)
            yield ("XREF-FUNCTION", path, f"`{dotted(path)}` names function `{waiver.function}`, which does not exist.",
                   _choose(waiver.function, plan.functions, "functions"))

