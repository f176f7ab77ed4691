"""Golden files: the diff and plan outputs of realistic changes, compared exactly.

Each case is a base and head plan (tests/review/cases/<case>/) and the preview
`provision plan` would show (resources.yaml). BASE is committed to a scratch git
repository and read back as git:main:plans/prod.yaml, as CI does.

Regenerate after an intended change with `UPDATE_GOLDEN=1 pytest tests/review`
(that run rewrites the files and fails on purpose), read the diff of
tests/review/golden/, then run again without the switch.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path
from typing import Callable

import pytest
import yaml
from click.testing import CliRunner

from provision.cli.main import cli
from provision.cli.review.loading import load_side
from provision.cli.review.markdown import GITHUB_COMMENT_LIMIT
from provision.cli.review.render import render_plan
from provision.cli.review.resources import FunctionResources, ResourceChange
from provision.policies.config import PolicyConfig

HERE = Path(__file__).parent
CASES = HERE / "cases"
GOLDEN = HERE / "golden"
CASE_NAMES = ["provider-swap", "residency-break", "sla-weakened", "function-removed", "cost-over-budget"]
TODAY = dt.date(2026, 3, 2)
BASE_SPEC, HEAD_SPEC = "git:main:plans/prod.yaml", "plans/prod.yaml"
FORMATS = [("text", "txt"), ("markdown", "md"), ("json", "json")]


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


def load_resources(path: Path) -> list[FunctionResources]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        FunctionResources(None if function == "_plan" else function, tuple(
            ResourceChange(r["name"], r["type"], r["op"], tuple(r.get("reasons", ()))) for r in items))
        for function, items in doc.items()
    ]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str, str], Path]:
    """A git repository whose main branch has BASE at plans/prod.yaml and HEAD in the working tree."""

    def make(base: str, head: str) -> Path:
        def git(*args: str) -> None:
            subprocess.run(["git", "-c", "user.name=ci", "-c", "user.email=ci@example.com", *args], cwd=tmp_path,
                           check=True, capture_output=True)

        plan = tmp_path / "plans" / "prod.yaml"
        plan.parent.mkdir()
        plan.write_text(base, encoding="utf-8")
        exit_plan = tmp_path / "docs" / "exit" / "nightwatch.md"  # the exit plan the cases name
        exit_plan.parent.mkdir(parents=True)
        exit_plan.write_text("# Exit plan: Nightwatch\n", encoding="utf-8")
        git("init", "-q", "-b", "main")
        git("add", "plans", "docs")
        git("commit", "-q", "-m", "base")
        plan.write_text(head, encoding="utf-8")
        monkeypatch.chdir(tmp_path)
        return tmp_path

    return make


def case_repo(repo: Callable[[str, str], Path], case: str) -> Path:
    return repo((CASES / case / "base.yaml").read_text(encoding="utf-8"),
                (CASES / case / "head.yaml").read_text(encoding="utf-8"))


def diff(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["diff", BASE_SPEC, HEAD_SPEC, "--today", TODAY.isoformat(), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout


def plan_output(fmt: str, resources: list[FunctionResources]) -> str:
    config = PolicyConfig()
    head = load_side(HEAD_SPEC, config=config, today=TODAY)
    base = load_side(BASE_SPEC, config=config, today=TODAY)
    return render_plan(fmt, head, resources, base=base, today=TODAY)


@pytest.mark.parametrize("fmt, ext", FORMATS)
@pytest.mark.parametrize("case", CASE_NAMES)
def test_diff_output(repo, case: str, fmt: str, ext: str) -> None:
    case_repo(repo, case)
    code, output = diff("--format", fmt)
    assert code == 0
    check_golden(f"{case}.diff.{ext}", output)


@pytest.mark.parametrize("fmt, ext", FORMATS[1:])
@pytest.mark.parametrize("case", CASE_NAMES)
def test_plan_output(repo, case: str, fmt: str, ext: str) -> None:
    case_repo(repo, case)
    check_golden(f"{case}.plan.{ext}", plan_output(fmt, load_resources(CASES / case / "resources.yaml")))


# -- the oversized plan: hundreds of sites, every one changed --------------------------------

SITES = 300


def oversized_plan(*, head: bool) -> str:
    doc = yaml.safe_load((CASES / "provider-swap" / "base.yaml").read_text(encoding="utf-8"))
    for i in range(SITES):
        doc["spec"]["functions"][f"site-{i:03}"] = {
            "type": "hosting",
            "provider": "aws",
            "tier": "standard",
            "data": "internal",
            "sla": {"availability": 99.5 if head else 99.9},
            "hosting": {"kind": "static-site", "priceClass": "PriceClass_All" if head else "PriceClass_100"},
        }
    return yaml.safe_dump(doc, sort_keys=False)


def oversized_resources() -> list[FunctionResources]:
    groups = []
    for i in range(SITES):
        name = f"site-{i:03}"
        bucket_op = ("replace", ("bucket_name",)) if i % 10 == 0 else ("same", ())
        groups.append(FunctionResources(name, (
            ResourceChange(f"{name}-key", "KmsKey", "same"),
            ResourceChange(f"{name}-bucket", "S3Bucket", bucket_op[0], bucket_op[1]),
            ResourceChange(f"{name}-logs", "S3Bucket", "same"),
            ResourceChange(f"{name}-cdn", "CloudFrontDistribution", "update", ("price_class",)),
        )))
    return groups


def test_oversized_plan_comment_is_cut_to_the_limit_keeping_the_essentials(repo) -> None:
    repo(oversized_plan(head=False), oversized_plan(head=True))
    resources = oversized_resources()
    comment = plan_output("markdown", resources)
    assert len(comment) <= 65_000 < GITHUB_COMMENT_LIMIT
    assert comment.startswith("<!-- provision:plan-comment:brightdesk-prod -->\n### ⚠️ provision plan: brightdesk-")
    for i in range(0, SITES, 10):  # every destructive change is listed
        assert f"| ❗ **replace** | site-{i:03} | site-{i:03}-bucket | S3Bucket | bucket\\_name |" in comment
    # Rows go before sections, least important first: every section keeps its heading and says what it lost,
    # and the outsourcing diff, the point of the comment, is whole.
    assert "_✂️ 330 more resource changes not shown: the comment would exceed its size limit._" in comment
    assert "_✂️ 300 more functions not shown: the comment would exceed its size limit._" in comment
    assert comment.count("| ⚠️ weaker | service-levels | site-") == SITES
    check_golden("oversized.plan.md", comment)
    # The full document is not cut: machines get everything.
    document = json.loads(plan_output("json", resources))
    assert len(document["changes"]) == 2 * SITES and len(document["resources"]) == SITES
