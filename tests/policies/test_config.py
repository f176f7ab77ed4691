"""provision-policies.yaml: overrides, validation with file:line:column, discovery."""

from __future__ import annotations

import pathlib
import textwrap

import pytest

from provision.policies.base import Enforcement
from provision.policies.config import CONFIG_FILENAME, PolicyConfig, PolicyConfigError, load_config, parse_config
from provision.policies.registry import get


def parse(text: str) -> PolicyConfig:
    return parse_config(textwrap.dedent(text), "org/provision-policies.yaml")


def test_overrides_enforcement_and_merges_map_params() -> None:
    config = parse(
        """
        policies:
          PRV-VEN-001:
            enforcement: advisory
            params: {maxCriticalPerVendor: 3}
          PRV-SLA-001:
            params:
              minAvailability: {important: 99}
          PRV-SUS-001: {enforcement: disabled}
        """
    )
    assert config.enforcement(get("PRV-VEN-001")) is Enforcement.ADVISORY
    assert config.params(get("PRV-VEN-001")) == {"maxCriticalPerVendor": 3}
    assert config.params(get("PRV-SLA-001")) == {
        "minAvailability": {"critical": 99.9, "important": 99, "standard": 99.0}
    }
    assert config.enforcement(get("PRV-SUS-001")) is Enforcement.DISABLED
    # Untouched policies keep their defaults.
    assert config.enforcement(get("PRV-RES-001")) is Enforcement.MANDATORY
    assert config.params(get("PRV-BAK-001")) == get("PRV-BAK-001").params


def test_list_params_replace_the_default() -> None:
    config = parse(
        """
        policies:
          PRV-IAM-001:
            params: {forbiddenActions: ["iam:*", "ec2:Terminate*"]}
        """
    )
    assert config.params(get("PRV-IAM-001")) == {"forbiddenActions": ["iam:*", "ec2:Terminate*"]}


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "policies:\n  PRV-VEN-01:\n    enforcement: advisory\n",
            "org/provision-policies.yaml:2:3: unknown policy id 'PRV-VEN-01' (did you mean PRV-VEN-001?)",
        ),
        (
            "policies:\n  PRV-VEN-001:\n    params:\n      maxCritical: 3\n",
            "org/provision-policies.yaml:4:7: PRV-VEN-001: unknown param 'maxCritical' (known: maxCriticalPerVendor)",
        ),
        (
            "policies:\n  PRV-RES-001:\n    params: {today: 2020-01-01}\n",
            "org/provision-policies.yaml:3:14: PRV-RES-001: unknown param 'today' (known: none)",
        ),
        (
            "policies:\n  PRV-VEN-001:\n    params: {maxCriticalPerVendor: three}\n",
            "org/provision-policies.yaml:3:36: PRV-VEN-001.maxCriticalPerVendor must be an integer, not 'three'",
        ),
        (
            "policies:\n  PRV-VEN-001:\n    params: {maxCriticalPerVendor: 2.5}\n",
            "org/provision-policies.yaml:3:36: PRV-VEN-001.maxCriticalPerVendor must be an integer, not 2.5",
        ),
        (
            "policies:\n  PRV-VEN-001:\n    params: {maxCriticalPerVendor: true}\n",
            "org/provision-policies.yaml:3:36: PRV-VEN-001.maxCriticalPerVendor must be an integer, not True",
        ),
        (
            "policies:\n  PRV-SLA-001:\n    params:\n      minAvailability: {critcal: 99.99}\n",
            "org/provision-policies.yaml:4:25: PRV-SLA-001.minAvailability: unknown key 'critcal' "
            "(known: critical, important, standard)",
        ),
        (
            "policies:\n  PRV-IAM-001:\n    params: {forbiddenActions: iam:*}\n",
            "org/provision-policies.yaml:3:32: PRV-IAM-001.forbiddenActions must be a list",
        ),
        (
            "policies:\n  PRV-IAM-001:\n    params: {forbiddenActions: [iam:*, 7]}\n",
            "org/provision-policies.yaml:3:40: PRV-IAM-001.forbiddenActions[1] must be a string, not 7",
        ),
        (
            "policies:\n  PRV-VEN-001:\n    enforcement: warn\n",
            "org/provision-policies.yaml:3:18: PRV-VEN-001: enforcement must be one of mandatory, advisory, "
            "disabled, not 'warn'",
        ),
        (
            "policies:\n  PRV-VEN-001:\n    level: advisory\n",
            "org/provision-policies.yaml:3:5: PRV-VEN-001: unknown key 'level' (expected: enforcement, params)",
        ),
        (
            "costAllocationTagsActive: sometimes\n",
            "org/provision-policies.yaml:1:27: costAllocationTagsActive must be true or false",
        ),
        (
            "policies:\n  PRV-VEN-001:\n    enforcement: off\n",
            "org/provision-policies.yaml:3:18: PRV-VEN-001: enforcement must be one of mandatory, advisory, "
            "disabled, not 'off' (YAML reads off as false); to switch the policy off, write enforcement: disabled",
        ),
        (
            "policies:\n  PRV-VEN-001:\n    enforcement: yes\n",
            "org/provision-policies.yaml:3:18: PRV-VEN-001: enforcement must be one of mandatory, advisory, "
            "disabled, not 'yes' (YAML reads yes as true)",
        ),
        ("rules: {}\n", "org/provision-policies.yaml:1:1: unknown key 'rules' (expected: policies, externalIdRefs, residencies, costAllocationTagsActive)"),
        ("residency: {}\n", "org/provision-policies.yaml:1:1: unknown key 'residency' "
                            "(did you mean residencies? expected: policies, externalIdRefs, residencies, "
                            "costAllocationTagsActive)"),
        (
            "externalIdRefs: ['env:*']\n",
            "org/provision-policies.yaml:1:18: externalIdRefs: 'env:*' would admit every environment variable; "
            "name a suffix such as env:*_EXTERNAL_ID",
        ),
        (
            "externalIdRefs: ['ssm:/*']\n",
            "org/provision-policies.yaml:1:18: externalIdRefs: 'ssm:/*' would admit every ssm name; "
            "name a prefix such as ssm:/acme/vendors/*",
        ),
        (
            "externalIdRefs: ssm:/acme/*\n",
            "org/provision-policies.yaml:1:17: externalIdRefs must be a list of globs such as ssm:/acme/vendors/*",
        ),
        (
            "residencies:\n  eu: {regions: ['*'], countries: [US]}\n",
            "org/provision-policies.yaml:2:3: residencies: 'eu' is built in and cannot be redefined; "
            "add yours under another name",
        ),
        (
            "residencies:\n  nz: {regions: [ap-southeast-6], countries: [nz]}\n",
            "org/provision-policies.yaml:2:47: residency 'nz'.countries[0] must be an ISO 3166 alpha-2 code in "
            "capitals, such as NZ, not 'nz'",
        ),
        (
            "residencies:\n  nz: {regions: [ap-southeast-6]}\n",
            "org/provision-policies.yaml:2:7: residency 'nz' needs a non-empty 'countries' list",
        ),
        (
            "policies:\n  PRV-VEN-001: {enforcement: advisory}\n  PRV-VEN-001: {enforcement: disabled}\n",
            "org/provision-policies.yaml:3:3: duplicate key 'PRV-VEN-001' in policies",
        ),
        ("- PRV-VEN-001\n", "org/provision-policies.yaml:1:1: the policy config must be a mapping"),
        ("policies:\n  PRV-VEN-001: [advisory]\n", "org/provision-policies.yaml:2:16: PRV-VEN-001 must be a mapping"),
        (
            "policies:\n  PRV-VEN-001: {enforcement: advisory\n",
            "org/provision-policies.yaml:3:1: invalid YAML: expected ',' or '}', but got '<stream end>'",
        ),
    ],
)
def test_invalid_configs_are_located_errors(text: str, expected: str) -> None:
    with pytest.raises(PolicyConfigError) as caught:
        parse_config(text, "org/provision-policies.yaml")
    assert str(caught.value) == expected
    assert isinstance(caught.value, ValueError)


def test_int_is_accepted_where_the_default_is_a_number() -> None:
    config = parse("policies:\n  PRV-SUS-001:\n    params: {maxGramsCO2ePerKWh: 300}\n")
    assert config.params(get("PRV-SUS-001")) == {"maxGramsCO2ePerKWh": 300}


@pytest.mark.parametrize("text", ["", "# nothing yet\n", "policies:\n"])
def test_empty_config_means_defaults(text: str) -> None:
    assert parse_config(text).overrides == {}


def test_load_config_finds_the_nearest_file_up_to_the_repository_root(tmp_path: pathlib.Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "plans" / "prod").mkdir(parents=True)
    (repo / CONFIG_FILENAME).write_text("policies:\n  PRV-SUS-001: {enforcement: disabled}\n")
    config = load_config(search_from=repo / "plans" / "prod")
    assert config.source == repo / CONFIG_FILENAME
    assert config.enforcement(get("PRV-SUS-001")) is Enforcement.DISABLED
    # A plan file as the starting point works too.
    assert load_config(search_from=repo / "plans" / "prod" / "web.yaml").source == repo / CONFIG_FILENAME


def test_load_config_stops_at_the_repository_root(tmp_path: pathlib.Path) -> None:
    (tmp_path / CONFIG_FILENAME).write_text("policies:\n  PRV-SUS-001: {enforcement: disabled}\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    config = load_config(search_from=repo)
    assert config.source is None and config.overrides == {}


def test_load_config_without_anything_is_defaults() -> None:
    assert load_config() == PolicyConfig()


def test_explicit_config_path_must_exist(tmp_path: pathlib.Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(PolicyConfigError, match="policy config not found"):
        load_config(missing)


def test_explicit_config_path_wins_over_search(tmp_path: pathlib.Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / CONFIG_FILENAME).write_text("policies:\n  PRV-SUS-001: {enforcement: disabled}\n")
    explicit = tmp_path / "strict.yaml"
    explicit.write_text("policies:\n  PRV-SUS-001: {enforcement: mandatory}\n")
    config = load_config(explicit, search_from=tmp_path)
    assert config.source == explicit
    assert config.enforcement(get("PRV-SUS-001")) is Enforcement.MANDATORY


def test_cost_allocation_tags_are_inactive_unless_the_config_says_so() -> None:
    assert parse_config("policies: {}\n").cost_allocation_tags_active is False
    assert parse_config("costAllocationTagsActive: true\n").cost_allocation_tags_active is True
def test_external_id_namespace_and_residencies_come_from_the_config() -> None:
    config = parse(
        """
        externalIdRefs: ["ssm:/acme/vendors/*", "env:*_VENDOR_ID"]
        residencies:
          nz: {regions: [ap-southeast-6], countries: [NZ], label: New Zealand}
        """
    )
    assert config.external_id_refs == ("ssm:/acme/vendors/*", "env:*_VENDOR_ID")
    nz = config.residencies["nz"]
    assert (nz.allows_region("ap-southeast-6"), nz.allows_region("ap-southeast-2")) == (True, False)
    assert (nz.allows_country("NZ"), nz.allows_country("AU"), nz.countries_label) == (True, False, "New Zealand")
    # The built-in residencies stay.
    assert config.residencies["eu"].allows_region("eu-west-1")


def test_defaults_name_the_default_namespace() -> None:
    assert PolicyConfig().external_id_refs == ("ssm:/provision/*", "secretsmanager:provision/*", "env:*_EXTERNAL_ID")
    assert PolicyConfig().label == "defaults"
