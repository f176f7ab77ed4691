"""The promise, step by step, for one plan: "a plan that validates provisions".

`PlanRun(document, ...).check()` runs validate, apply, plan
--detailed-exitcode, drift, verify, the vendor-scope oracle, destroy and a
last inventory, the CLI in process as a user runs it. A failed step is
recorded (step, exit code, the end of the output) and the run goes on where
that still makes sense, so one report shows every broken promise of the plan;
destroy and the final sweep always run. `changes(mutated)` applies a second
version of the plan on top and checks it converges.
"""

from __future__ import annotations

import copy
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import CliRunner

from provision.cli.main import cli
from tests.generated import vendor_scope
from tests.generated.inventory import Inventory, Item
from tests.generated.strategies import write_plan

OUTPUT_TAIL = 1500


@dataclass
class Failure:
    step: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.step}] {self.detail}"


@dataclass
class PlanRun:
    document: dict[str, Any]
    directory: Path
    state_dir: Path
    client: Callable[[str, str], Any]
    monkeypatch: pytest.MonkeyPatch
    failures: list[Failure] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.path = self.directory / f"{self.name}.yaml"
        self.inventory = Inventory(self.client)
        self._write(self.document)

    @property
    def name(self) -> str:
        return self.document["metadata"]["name"]

    def regions(self) -> set[str]:
        spec = self.document["spec"]
        copies = {f["backup"]["copyToRegion"] for f in spec["functions"].values() if f.get("backup", {}).get("copyToRegion")}
        return {spec["region"], *copies}

    def _write(self, document: dict[str, Any]) -> None:
        self.document = copy.deepcopy(document)
        for provider in document["spec"]["providers"].values():
            ref = provider.get("externalIdRef", "")
            if ref.startswith("env:"):
                self.monkeypatch.setenv(ref[4:], f"extid-{self.name[:20]}-{ref[4:][:20].lower()}")
        write_plan(document, self.path)

    # -- running the CLI ----------------------------------------------------------------------

    def invoke(self, *args: str):
        """The CLI in process, on this run's state (validate works offline); the click Result."""
        target = [] if args[0] == "validate" else ["--state-dir", str(self.state_dir)]
        return CliRunner().invoke(cli, [*args, *target], catch_exceptions=True)

    def cli(self, step: str, *args: str, expect: int = 0) -> bool:
        started = time.monotonic()
        result = self.invoke(*args)
        self.timings[step] = self.timings.get(step, 0.0) + time.monotonic() - started
        crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
        if result.exit_code == expect and not crashed:
            return True
        error = f"{type(result.exception).__name__}: {result.exception}" if crashed else ""
        self.failures.append(Failure(step, f"exit {result.exit_code} (want {expect}) {error}\n{result.output[-OUTPUT_TAIL:]}"))
        return False

    def sweep(self) -> list[Item]:
        items = self.inventory.sweep(self.name, self.regions())
        if self.inventory.blind:
            self.failures.append(Failure("inventory blind spot", "; ".join(self.inventory.blind)))
        return items

    # -- the property --------------------------------------------------------------------------

    def check(self, also: Callable[["PlanRun"], None] | None = None) -> "PlanRun":
        """Everything for one plan; then destroy and look for leftovers. Never raises on a broken promise.

        `also(run)` asserts more on the applied plan, before destroy (it may raise).
        """
        try:
            if self.cli("validate", "validate", str(self.path)) and self.cli("apply", "apply", str(self.path), "--yes"):
                self.converged("")
                if also is not None:
                    also(self)
        finally:
            self.destroy()
        return self

    def converged(self, label: str) -> None:
        """After an apply: nothing to re-plan, no drift, verify clean, vendors scoped, inventory matches state."""
        self.cli(f"{label}plan", "plan", str(self.path), "--detailed-exitcode")
        self.cli(f"{label}drift", "drift", str(self.path))
        self.cli(f"{label}verify", "verify", str(self.path))
        live = self.sweep()
        self.check_inventory_matches_state(label, live)
        self.check_vendor_scopes(label, live)

    def changes(self, mutated: dict[str, Any], label: str) -> None:
        """Apply `mutated` over the deployed plan; it must converge like a first apply."""
        self._write(mutated)
        if self.cli(f"{label}:validate", "validate", str(self.path)) and self.cli(
            f"{label}:apply", "apply", str(self.path), "--yes"
        ):
            self.converged(f"{label}:")

    def destroy(self) -> None:
        started = time.monotonic()
        self.cli("destroy", "destroy", str(self.path), "--yes")
        left = [f"{i.kind} {i.id} ({i.region})" for i in self.sweep()]
        self.timings["destroy+sweep"] = time.monotonic() - started
        if left:
            self.failures.append(Failure("inventory after destroy", f"{len(left)} left: " + "; ".join(left)))

    def check_inventory_matches_state(self, label: str, live: list[Item]) -> None:
        """Every resource the state lists is live where the inventory looks (keeps the final sweep honest)."""
        result = self.invoke("status", str(self.path), "--format", "json")
        if result.exit_code != 0:
            self.failures.append(Failure(f"{label}status", result.output[-OUTPUT_TAIL:]))
            return
        known = {i.id for i in live} | {i.arn for i in live} | {i.id.rsplit("/", 1)[-1] for i in live}
        missing = [
            f"{r['kind'] or r['type']} {r['resource']} {r['id']}"
            for r in json.loads(result.stdout)["resources"]
            if r["id"] not in known
        ]
        if missing:
            self.failures.append(Failure(f"{label}inventory", "in state but not found live: " + "; ".join(missing)))
        functions = set(self.document["spec"]["functions"])
        stray = sorted({i.function for i in live if i.function and i.function not in functions | {"vendor-access", "plan"}})
        if stray:
            self.failures.append(Failure(f"{label}inventory", f"live resources tagged with unknown functions {stray}"))

    def check_vendor_scopes(self, label: str, live: list[Item]) -> None:
        iam = self.client("iam", "us-east-1")
        roles = {i.tags.get("provision:provider"): i.id for i in live if i.kind == "iam:role" and i.function == "vendor-access"}
        for vendor, provider in self.document["spec"]["providers"].items():
            if provider["type"] == "cloud" or not vendor_scope.reach(self.document, vendor):
                continue
            if vendor not in roles:
                self.failures.append(Failure(f"{label}vendor scope", f"no live role for vendor {vendor}"))
                continue
            found = vendor_scope.problems(self.document, vendor, vendor_scope.documents(iam, roles[vendor]), live)
            if found:
                self.failures.append(Failure(f"{label}vendor scope", f"{vendor}: " + "; ".join(found)))

    def report(self) -> str:
        lines = [f"plan {self.name}: {len(self.failures)} failed step(s)"]
        lines += [f"  {f}" for f in self.failures]
        lines.append("  timings: " + ", ".join(f"{k} {v:.1f}s" for k, v in self.timings.items()))
        return "\n".join(lines)

