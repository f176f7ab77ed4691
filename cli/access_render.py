"""Text and markdown views of an access document (stacks.access.document).

Per vendor: its roles, then per function it operates (with the data class)
one line per service and level: the actions, on which resources, under which
conditions. With offboarding, the list of what to revoke or rotate.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable, Mapping

LEVEL_ORDER = ("permissions", "destructive", "write", "read")


def _short(action: str) -> str:
    return action.split(":", 1)[1] if ":" in action else action


def grouped(access: Iterable[Mapping[str, Any]]) -> dict[str, dict[tuple[str, str], dict[str, set[str]]]]:
    """function -> (service, level) -> {"actions": ..., "resources": ...}."""
    out: dict[str, dict[tuple[str, str], dict[str, set[str]]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(set)))
    for a in access:
        group = out[a["function"]][(a["service"], a["level"])]
        group["actions"].add(_short(a["action"]))
        group["resources"].add(a["resource"] + (f" ({a['condition']})" if a["condition"] else ""))
    return out


def _sorted_groups(groups: Mapping[tuple[str, str], Any]) -> list[tuple[tuple[str, str], Any]]:
    return sorted(groups.items(), key=lambda kv: (kv[0][0], LEVEL_ORDER.index(kv[0][1])))


def _session(role: Mapping[str, Any]) -> str:
    seconds = role["maxSessionSeconds"]
    session = f"sessions ≤ {seconds}s" if seconds else "no sessions (an AWS service acts with it)"
    return f"{session}, {'boundary' if role['boundary'] else 'NO boundary'}"


def render_text(doc: Mapping[str, Any], *, offboarding: bool = False) -> str:
    lines = [f"Vendor access of {doc['plan']}/{doc['environment']} ({doc['source']}, account {doc['account']})"]
    for v in doc["vendors"]:
        data = ", ".join(f"{f['name']} ({f['data']})" for f in v["functions"])
        lines += ["", f"{v['name']} ({v['type']}, account {v['accountId']}), strongest: {v['strongest']}; operates {data}"]
        for r in v["roles"]:
            lines.append(f"  role {r['kind']} {r['name']}: {_session(r)}; trust: {r['trust']}")
        by_function = grouped(v["access"])
        for fn in sorted(by_function):
            data_class = next((a["data"] for a in v["access"] if a["function"] == fn), "")
            lines.append(f"  {fn} ({data_class}):")
            for (service, level), g in _sorted_groups(by_function[fn]):
                lines.append(f"    {service:<12} {level:<11} {', '.join(sorted(g['actions']))}")
                lines += [f"{'':<30}on {r}" for r in sorted(g["resources"])]
        lines += [f"  note: {n}" for n in v["notes"]]
        if offboarding:
            lines.append(f"  when {v['name']} leaves:")
            lines += [f"    - {i['kind']}: {i['target']}: {i['action']}" for i in v["offboarding"]]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def code_cell(text: str) -> str:
    """`text` as code in a table cell: markdown escapes do not apply inside code, only the cell's pipe does."""
    return f"`{_cell(text).replace('`', chr(39))}`"


def mermaid_map(vendors: Iterable[Mapping[str, Any]]) -> list[str]:
    """A mermaid graph vendors → functions → data classes: an edge to every function a vendor operates or
    reaches (e.g. through a watch), labelled with the strongest level it holds there."""
    lines = ["```mermaid", "graph LR"]
    operated, held = set(), set()
    for v in vendors:
        data = {fn["name"]: fn["data"] for fn in v["functions"]} | {a["function"]: a["data"] for a in v["access"]}
        for fn, data_class in data.items():
            levels = {a["level"] for a in v["access"] if a["function"] == fn}
            top = next((lvl for lvl in LEVEL_ORDER if lvl in levels), "none")
            operated.add(f'  v_{_id(v["name"])}["{v["name"]}"] -->|{top}| f_{_id(fn)}["{fn}"]')
            held.add(f'  f_{_id(fn)} --> d_{data_class}(["{data_class}"])')
    return [*lines, *sorted(operated), *sorted(held), "```"]


def _id(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)


def render_markdown(doc: Mapping[str, Any], *, offboarding: bool = False) -> str:
    lines = [f"## Vendor access of `{doc['plan']}/{doc['environment']}`", "",
             f"_{doc['source']}, account `{doc['account']}`_", "", *mermaid_map(doc["vendors"])]  # fmt: skip
    for v in doc["vendors"]:
        lines += ["", f"### {v['name']} ({v['type']}, account `{v['accountId']}`)", ""]
        lines += [f"- role **{r['kind']}** `{r['name']}`: {_session(r)}; trust: {_cell(r['trust'])}" for r in v["roles"]]
        lines += ["", "| function | data | service | level | actions | resources |", "| --- | --- | --- | --- | --- | --- |"]
        by_function = grouped(v["access"])
        for fn in sorted(by_function):
            data_class = next((a["data"] for a in v["access"] if a["function"] == fn), "")
            for (service, level), g in _sorted_groups(by_function[fn]):
                resources = "<br>".join(code_cell(r) for r in sorted(g["resources"]))
                lines.append(f"| {fn} | {data_class} | {service} | {level} | {', '.join(sorted(g['actions']))} | {resources} |")
        lines += [f"\n> note: {_cell(n)}" for n in v["notes"]]
        if offboarding:
            lines += ["", f"**When {v['name']} leaves**, revoke or rotate:", ""]
            lines += [f"- [ ] {i['kind']}: `{_cell(i['target'])}`: {i['action']}" for i in v["offboarding"]]
    return "\n".join(lines) + "\n"
