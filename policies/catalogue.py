"""The policy catalogue as Markdown (docs/policies.md), generated from the registry.

    python -m provision.policies.catalogue docs/policies.md           # write it
    python -m provision.policies.catalogue --check docs/policies.md   # exit 1 if stale
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Sequence

from provision.policies.base import Policy
from provision.policies.registry import POLICIES

COMMAND = "python -m provision.policies.catalogue docs/policies.md"

INTRO = f"""\
# Policy catalogue

<!-- Generated from policies/registry.py by `{COMMAND}`. Do not edit by hand. -->

`provision validate` checks every plan against these governance policies after
the schema. A **mandatory** finding fails validation (exit 1); an **advisory**
one is reported and never fails; a **waived** one is reported with its waiver.
`provision policies` lists them and `provision explain ID` shows one in full.

**Organisation overrides.** A `provision-policies.yaml` next to the plans (or in
a parent directory, up to the repository root) changes a policy's enforcement
(`mandatory`, `advisory`, `disabled`) or its parameters. Unknown policy ids,
parameters or value types are errors. Maps merge key by key; lists replace.

```yaml
policies:
  PRV-VEN-001:
    enforcement: advisory
    params: {{maxCriticalPerVendor: 3}}
  PRV-SLA-001:
    params:
      minAvailability: {{important: 99.0}}
```

**Waivers.** `spec.waivers` accepts a finding for a while: `policy`, optional
`function` (without it the waiver covers every finding of that policy in the
plan), `reason`, `approvedBy` and `expires`. A waiver holds through its expiry
date; after it, it waives nothing and is itself a mandatory finding
(PRV-GOV-001).

**Not policies.** Encryption at rest (KMS) and in transit (TLS, SFTP) is always
on in what `provision` builds, and vendor role sessions are capped at one hour
with an ExternalId; the plan cannot weaken them, so nothing here checks them.

"""


def _md(text: str) -> str:
    """Plain text made safe for Markdown: eu-* must not start emphasis, <amount> is no HTML tag."""
    return text.replace("*", "\\*").replace("<", "&lt;").replace(">", "&gt;")


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _section(policy: Policy) -> str:
    lines = [
        f"## {policy.id}",
        "",
        f"**{_md(policy.title)}**",
        "",
        f"- Enforcement: {policy.enforcement.value}",
        f"- Tags: {', '.join(policy.tags)}",
        "",
        _md(policy.description),
        "",
    ]
    if policy.params:
        lines += ["| Parameter | Default |", "| --- | --- |"]
        lines += [f"| `{name}` | `{_value(value)}` |" for name, value in policy.params.items()]
        lines.append("")
    lines += [f"**Remediation.** {_md(policy.remediation)}", ""]
    return "\n".join(lines)


def render_markdown(policies: Sequence[Policy] = POLICIES) -> str:
    """The whole catalogue page."""
    index = ["| ID | Enforcement | Title |", "| --- | --- | --- |"]
    index += [f"| [{p.id}](#{p.docs_anchor}) | {p.enforcement.value} | {_md(p.title)} |" for p in policies]
    return INTRO + "\n".join(index) + "\n\n" + "\n".join(_section(p) for p in policies)


def main(argv: Sequence[str]) -> int:
    check = "--check" in argv
    paths = [a for a in argv if a != "--check"]
    if len(paths) != 1:
        print(f"usage: {COMMAND} [--check]", file=sys.stderr)
        return 2
    target, text = Path(paths[0]), render_markdown()
    if check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            print(f"{target} is out of date; run: {COMMAND}", file=sys.stderr)
            return 1
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
