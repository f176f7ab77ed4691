"""Golden files: `provision access` of every example, and `provision diff` of access changes.

The cases (tests/access/cases/<case>/) change examples/eu-fintech.yaml the
four ways a reviewer must see in access terms: a function moving vendors, a
partner added to an exchange, runbook actions widened, a data class raised.
Regenerate after an intended change with `UPDATE_GOLDEN=1 pytest tests/access` (that run
fails), read the diff of tests/access/golden/, then run again without it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from provision.cli.main import cli

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
GOLDEN = HERE / "golden"
EXAMPLES = ["saas-startup", "eu-fintech", "us-healthcare"]
VENDORS = {"saas-startup": ["nightwatch"], "eu-fintech": ["wachturm", "netzwerk", "opsbridge", "verifyco"],
           "us-healthcare": ["claimsco", "sentry-soc"]}  # fmt: skip
CASES = ["function-moves", "partner-added", "runbook-widened", "data-raised"]
SCHEMA = json.loads((ROOT / "docs" / "access.schema.json").read_text(encoding="utf-8"))


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        # Rewriting is never a pass: the run that rewrites fails, and the next one judges.
        changed = not path.exists() or path.read_text(encoding="utf-8") != text
        path.write_text(text, encoding="utf-8")
        pytest.fail(f"UPDATE_GOLDEN: {'rewrote' if changed else 'checked'} {path.name}; review `git diff` and run "
                    "again without UPDATE_GOLDEN", pytrace=False)
    assert path.exists(), f"no golden file {path.name}: run with UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs: if intended, UPDATE_GOLDEN=1 and review"


def run(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # sources print as given: keep them relative


@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("fmt, ext", [("text", "txt"), ("markdown", "md"), ("json", "json")])
def test_access_of_every_example(example: str, fmt: str, ext: str) -> None:
    code, out = run("access", f"examples/{example}.yaml", "--format", fmt)
    assert code == 0
    check_golden(f"{example}.{ext}", out)
    if fmt == "json":
        jsonschema.validate(json.loads(out), SCHEMA)


@pytest.mark.parametrize("example, vendor", [(e, v) for e, vs in VENDORS.items() for v in vs])
def test_offboarding_of_every_vendor(example: str, vendor: str) -> None:
    code, out = run("access", f"examples/{example}.yaml", "--vendor", vendor)
    assert code == 0
    assert f"when {vendor} leaves:" in out
    check_golden(f"{example}.{vendor}.txt", out)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("fmt, ext", [("text", "txt"), ("markdown", "md")])
def test_diff_of_access_changes(case: str, fmt: str, ext: str) -> None:
    base, head = (f"tests/access/cases/{case}/{side}.yaml" for side in ("base", "head"))
    _, out = run("diff", base, head, "--format", fmt, "--today", "2026-03-02")
    check_golden(f"diff-{case}.{ext}", out)


@pytest.mark.parametrize("case, code", [
    ("function-moves", 0),  # payments-net moves, but its operators only ever read it
    ("partner-added", 1),  # docucheck gains PutObject and the key on pii
    ("runbook-widened", 1),  # opsbridge gains s3:DeleteObject on portal's and kyc-exchange's pii buckets
    ("data-raised", 0),  # opsbridge only reads ops, now pii
])  # fmt: skip
def test_fail_on_weakening_when_a_vendor_gains_changing_access_to_sensitive_data(case: str, code: int) -> None:
    base, head = (f"tests/access/cases/{case}/{side}.yaml" for side in ("base", "head"))
    exit_code, _ = run("diff", base, head, "--fail-on-weakening", "--today", "2026-03-02")
    assert exit_code == code


def test_diff_json_lists_the_destructive_gain_as_a_weakening() -> None:
    base, head = (f"tests/access/cases/runbook-widened/{side}.yaml" for side in ("base", "head"))
    _, out = run("diff", base, head, "--format", "json", "--today", "2026-03-02")
    doc = json.loads(out)
    portal = [d for d in doc["vendorAccess"] if d["function"] == "portal"]
    assert portal == [{
        "vendor": "opsbridge", "direction": "gains", "function": "portal", "data": "pii", "level": "destructive",
        "actions": ["s3:DeleteObject"], "resources": ["arn:aws:s3:::{portal.bucket}", "arn:aws:s3:::{portal.bucket}/*"],
        "weakening": True,
    }]  # fmt: skip
    assert any(c["area"] == "access" and c["flag"] == "weakening" for c in doc["changes"])
