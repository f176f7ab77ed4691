"""The YAML text of a document, as the tests write plans: libyaml's emitter where PyYAML has it.

PyYAML's pure-Python emitter took a fifth of the generated-plan properties' time.
"""

from __future__ import annotations

from typing import Any

import yaml

DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def yaml_text(document: Any, **options: Any) -> str:
    """`document` as YAML, keys in their order; `options` as for yaml.dump (width, allow_unicode)."""
    return yaml.dump(document, Dumper=DUMPER, sort_keys=False, **options)
