"""The policy config each side of a review was governed by, and what changed in it.

A pull request can add or edit provision-policies.yaml. Judged by its own config,
it could switch policies off unseen; so `diff` reads the config of BASE (as it is
at BASE's revision, for a git source) and of HEAD, judges both with BASE's by
default, and reports every policy disabled, downgraded or re-parameterised, and
every widened external-id namespace or residency, as a weakening.
"""

from __future__ import annotations

import posixpath
from dataclasses import replace
from pathlib import Path

from provision.cli.review.model import Change, Flag
from provision.cli.review.sources import GIT_PREFIX, SourceMissing, parse_git, read_source
from provision.validation.errors import InputError

AREA = "policy-config"
_STRENGTH = {"disabled": 0, "advisory": 1, "mandatory": 2}


class ConfigUnreadable(InputError):
    """The policy config at a git revision is not UTF-8 text, or is invalid."""


def config_of(spec: str, *, confine: bool):  # -> PolicyConfig
    """The provision-policies.yaml governing the plan `spec` names: beside it or above, up to the
    repository root; at the revision for git:REV:path. ConfigUnreadable (PolicyConfigRejected for a
    file) when invalid."""
    from provision.policies.config import CONFIG_FILENAME, PolicyConfig, PolicyConfigError, parse_config
    from provision.validation.pipeline import load_policy_config

    if not spec.startswith(GIT_PREFIX):
        return load_policy_config(None, Path(spec).resolve().parent, confine=confine)
    rev, path = parse_git(spec)
    directory = posixpath.dirname(posixpath.normpath(path))
    while True:
        candidate = posixpath.join(directory, CONFIG_FILENAME) if directory else CONFIG_FILENAME
        label = f"{GIT_PREFIX}{rev}:{candidate}"
        try:
            source = read_source(label)
        except SourceMissing:
            if not directory:
                return PolicyConfig()
            directory = posixpath.dirname(directory)
            continue
        try:
            text = source.text.decode("utf-8")
            config = parse_config(text, label)
        except UnicodeDecodeError:
            raise ConfigUnreadable(f"{label}: the policy config is not UTF-8 text") from None
        except PolicyConfigError as error:
            raise ConfigUnreadable(f"invalid policy config: {error}") from None
        return replace(config, source=label)


def config_changes(base, head) -> list[Change]:
    """What HEAD's config changes from BASE's, weakenings flagged."""
    from provision.policies.registry import POLICIES

    changes = []
    for policy in POLICIES:
        before, after = base.enforcement(policy).value, head.enforcement(policy).value
        if before != after:
            weaker = _STRENGTH[after] < _STRENGTH[before]
            verb = "disabled" if after == "disabled" else "downgraded" if weaker else "strengthened"
            changes.append(Change(AREA, None, f"{policy.id}.enforcement", before, after,
                                  f"{policy.id} {verb}: enforcement {before} → {after} ({policy.title})",
                                  Flag.WEAKENING if weaker else None))
        old, new = base.params(policy), head.params(policy)
        for name in sorted(set(old) | set(new)):
            if old.get(name) != new.get(name):
                changes.append(Change(AREA, None, f"{policy.id}.params.{name}", old.get(name), new.get(name),
                                      f"{policy.id} re-parameterised: {name}: {_show(old.get(name))} → "
                                      f"{_show(new.get(name))}", Flag.WEAKENING))
    added = [glob for glob in head.external_id_refs if glob not in base.external_id_refs]
    if tuple(base.external_id_refs) != tuple(head.external_id_refs):
        changes.append(Change(AREA, None, "externalIdRefs", list(base.external_id_refs), list(head.external_id_refs),
                              f"external-id namespace: {_show(base.external_id_refs)} → "
                              f"{_show(head.external_id_refs)}", Flag.WEAKENING if added else None))
    for name in sorted(set(base.residencies) | set(head.residencies)):
        old_r, new_r = base.residencies.get(name), head.residencies.get(name)
        if old_r != new_r:
            what = "added" if old_r is None else "removed" if new_r is None else "redefined"
            shown = f": regions {new_r.regions_label}, countries {new_r.countries_label}" if new_r else ""
            changes.append(Change(AREA, None, f"residencies.{name}", _residency(old_r), _residency(new_r),
                                  f"residency '{name}' {what}{shown}", Flag.WEAKENING if new_r else None))
    return changes


def _residency(residency) -> dict | None:
    if residency is None:
        return None
    return {"regions": list(residency.regions), "except": sorted(residency.excluded_regions),
            "countries": sorted(residency.countries) if residency.countries is not None else None}


def _show(value) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    return str(value)
