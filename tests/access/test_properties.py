"""Properties of the derived access, on generated plans and on the examples."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provision.cli.main import cli
from provision.stacks.access.document import access_document
from provision.validation.pipeline import load_plan

ROOT = Path(__file__).resolve().parents[2]
POOL = ["alpha", "bravo", "charlie", "delta"]
PROVIDER = """    {name}:
      type: bpo
      accountId: "{account}"
      externalIdRef: env:{var}_EXTERNAL_ID
      country: US
      support: 24x7
      exitPlan: docs/exit/{name}.md
      contractEnds: 2028-06-30
      contacts: [ops@{name}.example]
"""


def healthcare_with_partners(tmp: Path, partners: list[str]) -> Path:
    text = (ROOT / "examples" / "us-healthcare.yaml").read_text()
    extra = "".join(PROVIDER.format(name=n, account=f"7{i:011d}", var=n.upper()) for i, n in enumerate(POOL))
    text = text.replace("  functions:\n", extra + "\n  functions:\n", 1)
    text = text.replace("partners: [claimsco]", f"partners: [{', '.join(partners)}]", 1)
    path = tmp / "plan.yaml"
    path.write_text(text)
    return path


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(partners=st.lists(st.sampled_from(["claimsco", *POOL]), min_size=1, max_size=5, unique=True))
def test_each_partner_reaches_its_own_prefix_only(tmp_path: Path, partners: list[str]) -> None:
    plan, report = load_plan(healthcare_with_partners(tmp_path, partners))
    assert plan is not None, report.findings
    doc = access_document(plan)
    drop_zone = "arn:aws:s3:::{claims-exchange.drop-zone}"
    by_vendor = {v["name"]: v for v in doc["vendors"]}
    assert set(partners) <= set(by_vendor)
    for name in partners:
        objects = {a["resource"] for a in by_vendor[name]["access"]
                   if a["action"] in ("s3:GetObject", "s3:PutObject") and a["resource"].startswith(drop_zone)}  # fmt: skip
        assert objects == {f"{drop_zone}/partners/{name}/*"}
        listings = {a["condition"] for a in by_vendor[name]["access"] if a["action"] == "s3:ListBucket"}
        assert listings and all(c.startswith(f"prefix partners/{name}/") for c in listings)
    for name in set(POOL) - set(partners):
        assert name not in by_vendor  # a provider that operates nothing gets no access at all


def test_no_vendor_of_the_examples_holds_destructive_or_permissions_access() -> None:
    for example in ("saas-startup", "eu-fintech", "us-healthcare"):
        plan, _ = load_plan(ROOT / "examples" / f"{example}.yaml")
        levels = {a["level"] for v in access_document(plan)["vendors"] for a in v["access"]}
        assert levels <= {"read", "write"}, example


def test_an_unknown_vendor_is_a_usage_error_naming_the_known_ones() -> None:
    result = CliRunner().invoke(cli, ["access", str(ROOT / "examples" / "saas-startup.yaml"), "--vendor", "aws"])
    assert result.exit_code == 2
    assert "'aws' is not an external provider operating a function of brightdesk-prod (known: nightwatch)" in result.output
    assert "Traceback" not in result.output


def test_an_invalid_plan_exits_2_with_its_position() -> None:
    result = CliRunner().invoke(cli, ["access", str(ROOT / "examples" / "invalid" / "unknown-provider.yaml")])
    assert result.exit_code == 2
    assert "unknown-provider.yaml:" in result.output and "Traceback" not in result.output
