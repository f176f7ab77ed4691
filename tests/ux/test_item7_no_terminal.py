"""#19 item 7: apply and destroy without a terminal and without --yes say so, and what to pass.

The stack is a stand-in (no engine): these tests are about the prompt. With a
terminal the question is asked as before; a piped answer is still taken.
"""

from __future__ import annotations

from contextlib import contextmanager
from types import SimpleNamespace

import pytest

from provision.stacks.engine.events import ChangeSet, ResourceChange

URN = "urn:pulumi:prod::brightdesk-prod::provision:function$S3Bucket::web-site"


class FakeOps:
    def __init__(self) -> None:
        self.applied = self.destroyed = False

    def preview(self, **_kwargs) -> ChangeSet:
        return ChangeSet(changes={URN: ResourceChange(URN, "web-site", "S3Bucket", "web", "create")})

    def up(self, **_kwargs):
        self.applied = True
        return SimpleNamespace(seconds=1, changes=self.preview(), outputs={})

    def stale_state(self):
        return None

    def status(self):
        return SimpleNamespace(resources=[SimpleNamespace(function="web", label="web-site (S3Bucket)")])

    def deployment(self):
        return {}

    def destroy(self, **_kwargs):
        self.destroyed = True
        return SimpleNamespace(changes=self.preview())


@pytest.fixture
def ops(monkeypatch: pytest.MonkeyPatch) -> FakeOps:
    fake = FakeOps()
    stack = SimpleNamespace(ops=fake, label="brightdesk-prod/prod on target sandbox",
                            target=SimpleNamespace(name="sandbox", sandbox=None, client=None))

    @contextmanager
    def exclusive(*_args, **_kwargs):
        yield SimpleNamespace(between="")

    @contextmanager
    def quiet(*_args, **_kwargs):
        yield

    for command in ("apply", "destroy"):
        monkeypatch.setattr(f"provision.cli.commands.{command}.open_plan_stack", lambda *a, **k: stack)
    monkeypatch.setattr("provision.stacks.engine.guard.exclusive_run", exclusive)
    monkeypatch.setattr("provision.stacks.engine.guard.reported_interrupts", quiet)
    monkeypatch.setattr("provision.stacks.engine.data_loss.data_at_risk", lambda *a, **k: [])
    monkeypatch.setattr("provision.cli.commands.apply.LiveProgress", quiet)
    monkeypatch.setattr("provision.cli.commands.destroy.LiveProgress", quiet)
    return fake


@pytest.mark.parametrize(
    ("command", "verb", "nothing"),
    [("apply", "apply", "Nothing was applied."), ("destroy", "destroy", "Nothing was destroyed.")],
)
def test_item7_no_terminal_says_to_pass_yes(run, edited, tmp_path, ops, command, verb, nothing) -> None:
    result = run(command, edited("saas-startup"), "--state-dir", tmp_path / "state")
    assert result.exit_code == 1
    assert "Aborted!" not in result.output
    assert result.output.splitlines()[-1] == (
        f"Error: There is no terminal to confirm on (standard input is not a terminal and gave no answer). "
        f"{nothing} Pass --yes to {verb} without asking, e.g. in CI.")
    assert not (ops.applied or ops.destroyed)


@pytest.mark.parametrize(
    ("args", "answer", "code", "done"),
    [
        (["--yes"], None, 0, True),
        ([], "y\n", 0, True),
        ([], "n\n", 1, False),
    ],
)
def test_item7_yes_or_an_answer_still_work(run, edited, tmp_path, ops, args, answer, code, done) -> None:
    result = run("apply", edited("saas-startup"), "--state-dir", tmp_path / "state", *args, input=answer)
    assert (result.exit_code, ops.applied) == (code, done), result.output
