"""Benchmarks of the real CLI against the real sandbox; writes bench/README.md.

Every figure comes from subprocesses of `.venv/bin/provision` (and of
check-jsonschema for the validate comparison), each sandbox lives in its own
temporary state directory. Every figure is the median of --repeat runs (3),
and every ratio is taken within one run before its median is taken.
AWS calls are counted at the sandbox by the request counter of its fault
middleware (`/_provision/faults`), so they do not depend on the machine.

    make bench                                               # everything, about 9 minutes
    .venv/bin/python bench/run.py --scales 5 20 --repeat 1   # a quick look
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PROVISION = str(BIN / "provision")
CHECK_JSONSCHEMA = str(BIN / "check-jsonschema")
SCHEMA = ROOT / "schemas" / "outsourcing-plan.v1.json"
EXAMPLE = ROOT / "examples" / "saas-startup.yaml"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
README = ROOT / "bench" / "README.md"
# Vendors of the examples read their ExternalId from these; any value does for a benchmark.
ENV = {**os.environ, "NIGHTWATCH_EXTERNAL_ID": "bench", "VERIFYCO_EXTERNAL_ID": "bench"}


@dataclass
class Run:
    seconds: float
    maxrss_mb: float
    cpu_s: float  # user + system of the process and the children it waited for (engine, providers)
    returncode: int
    stdout: str
    stderr: str


class _RusagePopen(subprocess.Popen):
    """Popen that keeps the child's own rusage (os.wait4) instead of the RUSAGE_CHILDREN maximum."""

    def _try_wait(self, wait_flags):  # type: ignore[override]
        try:
            pid, status, self.rusage = os.wait4(self.pid, wait_flags)
        except ChildProcessError:
            pid, status = self.pid, 0
        return pid, status


def run(args: list[str], env: dict[str, str] | None = None, check: bool = True) -> Run:
    """Run a command to completion: wall time and the peak memory of that process alone."""
    start = time.perf_counter()
    proc = _RusagePopen(args, cwd=ROOT, env=env or ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    rusage = getattr(proc, "rusage", None)
    result = Run(seconds, rusage.ru_maxrss / 1024 if rusage else float("nan"),
                 rusage.ru_utime + rusage.ru_stime if rusage else float("nan"), proc.returncode, out, err)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {proc.returncode}:\n{out[-2000:]}\n{err[-2000:]}")
    return result


def spread(values: list[float]) -> "Spread":
    return Spread(statistics.median(values), min(values), max(values))


@dataclass(frozen=True)
class Spread:
    """The median of several runs, with their range."""

    median: float
    low: float
    high: float

    def show(self, fmt: str = ".2f", unit: str = "") -> str:
        if self.low == self.high:
            return f"{self.median:{fmt}}{unit}"
        return f"{self.median:{fmt}}{unit} ({self.low:{fmt}}–{self.high:{fmt}})"


# --- machine -----------------------------------------------------------------------------------------

def machine() -> dict[str, str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    engine = run([PROVISION, "engine", "info"]).stdout
    version = re.search(r"version:\s*(\S+)", engine)
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "nproc": str(os.cpu_count()),
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "python": platform.python_version(),
        "engine": f"pulumi {version.group(1) if version else 'unknown'}",
        "os": f"{platform.system()} {platform.release()}",
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


# --- validate ------------------------------------------------------------------------------------------

def validate_cold(times: int) -> dict[str, Spread]:
    """Cold runs of both tools, interleaved so load changes hit both; the ratio is taken per pair."""
    ours_args = [PROVISION, "validate", str(EXAMPLE), "-q"]
    theirs_args = [CHECK_JSONSCHEMA, "--schemafile", str(SCHEMA), str(EXAMPLE)]
    pairs = [(run(ours_args).seconds, run(theirs_args).seconds) for _ in range(times)]
    return {
        "provision": spread([o for o, _ in pairs]),
        "check-jsonschema": spread([t for _, t in pairs]),
        "ratio": spread([o / t for o, t in pairs]),
    }


def bulk_plans(directory: Path, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        source = EXAMPLES[i % len(EXAMPLES)]
        target = directory / f"{i:04d}-{source.name}"
        shutil.copyfile(source, target)
        paths.append(target)
    return paths


def validate_bulk(directory: Path, paths: list[Path], times: int) -> dict[str, Spread]:
    """Both tools on the same plans, `times` rounds; the ratio is taken within each round."""
    rounds = []
    for _ in range(times):
        # Some examples carry advisory findings; exit codes 0 and 1 both mean "checked".
        ours = run([PROVISION, "validate", str(directory), "-q"], check=False)
        theirs = run([CHECK_JSONSCHEMA, "--schemafile", str(SCHEMA), *map(str, paths)], check=False)
        for name, result in (("provision", ours), ("check-jsonschema", theirs)):
            if result.returncode not in (0, 1):
                raise RuntimeError(
                    f"{name} bulk validate failed ({result.returncode}):\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
                )
        rounds.append((ours, theirs))
    count = len(paths)
    return {
        "provision_s": spread([o.seconds for o, _ in rounds]),
        "check-jsonschema_s": spread([t.seconds for _, t in rounds]),
        "provision_rate": spread([count / o.seconds for o, _ in rounds]),
        "check-jsonschema_rate": spread([count / t.seconds for _, t in rounds]),
        "ratio": spread([o.seconds / t.seconds for o, t in rounds]),
        "provision_mb": spread([o.maxrss_mb for o, _ in rounds]),
        "check-jsonschema_mb": spread([t.maxrss_mb for _, t in rounds]),
    }


# --- profiles ------------------------------------------------------------------------------------------

def import_profile(top: int) -> list[tuple[float, float, int, str]]:
    """Heaviest imports of a cold validate: (cumulative ms, own ms, nesting depth, module)."""
    result = run([sys.executable, "-X", "importtime", "-m", "provision", "validate", str(EXAMPLE), "-q"])
    rows = []
    for line in result.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)", line)
        if match:
            rows.append((int(match.group(2)) / 1000, int(match.group(1)) / 1000, len(match.group(3)) // 2, match.group(4)))
    return sorted(rows, reverse=True)[:top]


_PROFILE = """
import cProfile, sys
from provision.cli.main import cli
profile = cProfile.Profile()
profile.enable()
try:
    cli(["validate", sys.argv[1], "-q"], prog_name="provision")
except SystemExit:
    pass
profile.disable()
profile.dump_stats(sys.argv[2])
"""


def call_profile(directory: Path, out: Path, top: int) -> list[tuple[float, float, str]]:
    """Functions of the bulk validate with the most own time: (tottime, cumtime, where)."""
    run([sys.executable, "-c", _PROFILE, str(directory), str(out)])
    stats = pstats.Stats(str(out))
    rows = []
    for (filename, line, name), (_cc, _nc, tottime, cumtime, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{_short(filename)}:{line}({name})" if line else name
        rows.append((tottime, cumtime, where))
    return sorted(rows, reverse=True)[:top]


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    try:
        return str(Path(filename).relative_to(ROOT))
    except ValueError:
        return filename


# --- plan, apply, destroy ---------------------------------------------------------------------------

def scaled_plan(functions: int) -> dict:
    """`functions` functions: static sites and one backup of them all; passes validate."""
    sites = {f"site{i:02d}": {"type": "hosting", "provider": "aws", "tier": "standard", "data": "internal",
                              "hosting": {"kind": "static-site"}} for i in range(functions - 1)}
    backup = {"type": "backup", "provider": "aws", "tier": "standard", "data": "internal",
              "backup": {"protects": sorted(sites), "rpoHours": 24, "retentionDays": 35}}
    return {
        "apiVersion": "provision/v1", "kind": "OutsourcingPlan",
        "metadata": {"name": f"bench-{functions}", "owner": "bench@example.com"},
        "spec": {"environment": "test", "region": "eu-west-1", "dataResidency": "eu",
                 "providers": {"aws": {"type": "cloud"}}, "functions": {**sites, "backups": backup},
                 "budget": {"monthlyUSD": 1000}},
    }


class Counter:
    """AWS calls the sandbox of a state directory received, through its fault middleware's counter."""

    def __init__(self, state_dir: Path) -> None:
        from provision.stacks.sandbox import Sandbox
        from provision.stacks.sandbox.faults import FaultControl

        info = Sandbox(state_dir / "sandbox").status()
        if info is None:
            raise RuntimeError(f"no sandbox runs for {state_dir}")
        self.control = FaultControl(info.url, info.ca_bundle)
        self.control.clear()

    def take(self) -> int:
        """Calls since the last take, and start counting afresh."""
        return int(self.control.clear()["requests"])

    def take_kinds(self) -> dict[str, int]:
        """Calls since the last take by kind ("s3 GET ?policy"), and start counting afresh."""
        return dict(self.control.clear()["seen"])


def scaling(functions: int, work: Path) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    plan = work / f"bench-{functions}.yaml"
    plan.write_text(yaml.safe_dump(scaled_plan(functions), sort_keys=False))
    state = work / f"state-{functions}"
    env = {**ENV, "PROVISION_STATE_DIR": str(state)}
    step = lambda *args: run([PROVISION, *args], env=env)  # noqa: E731
    step("validate", str(plan), "-q")
    step("sandbox", "start")
    try:
        counter = Counter(state)
        out: dict[str, Any] = {}
        out["plan_s"] = step("plan", str(plan)).seconds
        counter.take()
        first = step("apply", str(plan), "--yes")
        out["apply_s"], out["apply_cpu_s"] = first.seconds, first.cpu_s
        out["apply_calls"] = counter.take()
        status = json.loads(step("status", str(plan), "--format", "json").stdout)
        out["resources"] = len(status["resources"])
        counter.take()
        out["noop_plan_s"] = step("plan", str(plan)).seconds
        out["noop_plan_calls"] = counter.take()
        out["noop_apply_s"] = step("apply", str(plan), "--yes").seconds
        out["noop_apply_kinds"] = counter.take_kinds()
        out["noop_apply_calls"] = sum(out["noop_apply_kinds"].values())
        out["destroy_s"] = step("destroy", str(plan), "--yes").seconds
        return out
    finally:
        run([PROVISION, "sandbox", "stop"], env=env, check=False)


# --- report ----------------------------------------------------------------------------------------

Scaling = dict[int, list[dict[str, Any]]]  # plan size -> one figure set per repetition


def derived(run_: dict[str, Any]) -> dict[str, Any]:
    """Per-run ratios: taken within one run, before any median."""
    per = run_["resources"]
    return {
        **run_,
        "apply_calls_per": run_["apply_calls"] / per,
        "noop_plan_calls_per": run_["noop_plan_calls"] / per,
        "noop_apply_calls_per": run_["noop_apply_calls"] / per,
        "noop_ratio": run_["noop_apply_s"] / run_["apply_s"],
    }


def scaling_ratios(scales: Scaling) -> dict[str, Spread]:
    """Largest over smallest plan, per repetition (both sizes ran in the same repetition)."""
    sizes = sorted(scales)
    small, big = scales[sizes[0]], scales[sizes[-1]]
    pairs = list(zip(small, big))
    return {key: spread([b[key] / s[key] for s, b in pairs])
            for key in ("resources", "plan_s", "apply_s", "apply_cpu_s", "noop_apply_s", "destroy_s")}


def report(info: dict[str, str], cold: dict[str, Spread], bulk: dict[str, Spread], count: int,
           scales: Scaling, repeat: int, imports: list, calls: list) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Produced by `make bench` (`bench/run.py`): the real CLI in subprocesses, the real sandbox",
        "(a fresh one per plan size and repetition, state in a temporary directory). Times are",
        "wall-clock seconds. Each figure is the median of several runs, with their range in brackets;",
        "each ratio is computed within one run (the two commands side by side), then its median taken.",
        "AWS calls are counted at the sandbox (the request counter of its fault middleware), so they",
        "do not depend on the machine.",
        "",
        f"Machine: {info['cpu']}, {info['nproc']} CPUs, {info['memory']} memory, {info['os']};",
        f"Python {info['python']}, engine {info['engine']}. Date: {info['date']}.",
        f"Load average at the start (1, 5, 15 min): {info['load']}.",
        "",
        "## Validate",
        "",
        "| Measure | provision validate | check-jsonschema (schema only) | ratio |",
        "|---|---|---|---|",
        f"| cold, one plan ({COLD_RUNS} runs each) | {cold['provision'].show(unit=' s')} "
        f"| {cold['check-jsonschema'].show(unit=' s')} | {cold['ratio'].show(unit='x')} |",
        f"| bulk, {count} plans in one call ({repeat} runs) | {bulk['provision_rate'].show('.0f', ' plans/s')} "
        f"| {bulk['check-jsonschema_rate'].show('.0f', ' plans/s')} | {bulk['ratio'].show(unit='x')} time |",
        f"| bulk, peak memory (maxrss) | {bulk['provision_mb'].show('.0f', ' MB')} "
        f"| {bulk['check-jsonschema_mb'].show('.0f', ' MB')} | |",
        "",
        "provision validate does more than the schema check: line/column findings with fixes and the",
        "governance policies.",
        "",
        "## Plan, apply, destroy on the sandbox",
        "",
        f"Plans of N functions: N-1 static sites and one backup of them all. Median of {repeat} runs per size.",
        "",
        "| Functions | Resources | plan (s) | first apply (s) | its CPU (s) | no-op plan (s) | no-op apply (s) "
        "| no-op / first apply | destroy (s) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    table = {n: [derived(r) for r in runs] for n, runs in scales.items()}
    fig = lambda n, key, fmt=".1f": spread([r[key] for r in table[n]]).show(fmt)  # noqa: E731
    for n in table:
        lines.append(f"| {n} | {fig(n, 'resources', '.0f')} | {fig(n, 'plan_s')} | {fig(n, 'apply_s')} "
                     f"| {fig(n, 'apply_cpu_s')} | {fig(n, 'noop_plan_s')} | {fig(n, 'noop_apply_s')} "
                     f"| {fig(n, 'noop_ratio', '.2f')} | {fig(n, 'destroy_s')} |")
    lines += ["", "AWS API calls per resource, counted at the sandbox:", "",
              "| Functions | first apply | no-op plan | no-op apply |", "|---|---|---|---|"]
    for n in table:
        lines.append(f"| {n} | {fig(n, 'apply_calls_per', '.2f')} | {fig(n, 'noop_plan_calls_per', '.2f')} "
                     f"| {fig(n, 'noop_apply_calls_per', '.2f')} |")
    sizes = sorted(scales)
    largest = scales[sizes[-1]][0]
    kinds = sorted(largest["noop_apply_kinds"].items(), key=lambda item: (-item[1], item[0]))[:12]
    lines += ["", f"Where a no-op apply's calls go ({sizes[-1]} functions, {largest['resources']:.0f} resources, first run):",
              "", "| AWS call | calls | per resource |", "|---|---|---|"]
    lines += [f"| `{kind}` | {count} | {count / largest['resources']:.2f} |" for kind, count in kinds]
    if len(sizes) > 1:
        r = scaling_ratios(scales)
        lines += [
            "",
            f"Scaling {sizes[-1]}/{sizes[0]} functions ({r['resources'].median:.1f}x the resources), per repetition: "
            f"plan {r['plan_s'].show('.1f', 'x')}, first apply {r['apply_s'].show('.1f', 'x')}, "
            f"no-op apply {r['noop_apply_s'].show('.1f', 'x')}, destroy {r['destroy_s'].show('.1f', 'x')}; "
            f"CPU of the first apply {r['apply_cpu_s'].show('.1f', 'x')}.",
            "The CPU column is user + system time of the CLI, the engine and the provider processes",
            "(not the sandbox's): when it nears wall time x CPUs, the apply is CPU-bound and more",
            "engine parallelism cannot shorten it on this machine.",
        ]
    lines += ["", NOTES.rstrip("\n")]
    lines += ["", "## Where validate spends its time", "",
              "Heaviest imports of a cold `provision validate` (python -X importtime; depth 0 is imported",
              "by the program itself, deeper ones by the module above them):", "",
              "| cumulative ms | own ms | depth | module |", "|---|---|---|---|"]
    lines += [f"| {cum:.1f} | {own:.1f} | {depth} | `{name}` |" for cum, own, depth, name in imports]
    lines += ["", f"Functions with the most own time in the {count}-plan validate (cProfile):", "",
              "| own s | cumulative s | function |", "|---|---|---|"]
    lines += [f"| {tot:.2f} | {cum:.2f} | `{where}` |" for tot, cum, where in calls]
    return "\n".join(lines) + "\n"


# The README's hand-written history (what was slow, what changed) follows this line;
# a new run rewrites everything above it and keeps the rest.
KEEP_MARKER = "<!-- bench/run.py writes everything above this line and keeps everything below it -->"


def write_report(path: Path, text: str) -> None:
    kept = ""
    if path.exists() and KEEP_MARKER in path.read_text():
        kept = path.read_text().split(KEEP_MARKER, 1)[1]
    path.write_text(text + "\n" + KEEP_MARKER + kept)


NOTES = """\
## Reading the figures

- Wall times depend on the machine and on its load (see the load average above); call counts
  and resource counts do not. Re-run `make bench` on an idle machine before comparing times.
- A no-op plan or apply reads every resource back (refresh), and reading an S3 bucket takes
  one GET per sub-setting (policy, encryption, public access block, versioning, logging,
  tagging, ownership, lifecycle), so a no-op costs more calls per resource than creating.
- The sandbox server's own CPU is not in the CPU column (it runs detached).
"""


COLD_RUNS = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="*", default=[5, 20, 50], help="plan sizes in functions")
    parser.add_argument("--bulk", type=int, default=1000, help="plans in the bulk validate")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (medians are reported)")
    parser.add_argument("--output", type=Path, default=README)
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    info = machine()
    with tempfile.TemporaryDirectory(prefix="provision-bench-") as tmp:
        work = Path(tmp)
        print(f"validate, cold ({max(COLD_RUNS, args.repeat)} runs each)", flush=True)
        cold = validate_cold(max(COLD_RUNS, args.repeat))
        plans = work / "plans"
        plans.mkdir()
        paths = bulk_plans(plans, args.bulk)
        print(f"validate, {args.bulk} plans ({args.repeat} runs each)", flush=True)
        bulk = validate_bulk(plans, paths, args.repeat)
        print("profiles", flush=True)
        imports = import_profile(15)
        calls = call_profile(plans, work / "validate.prof", 15)
        scales: Scaling = {n: [] for n in args.scales}
        # Sizes alternate within a repetition, so a slow spell of the machine hits every size alike.
        for rep in range(args.repeat):
            for n in args.scales:
                print(f"plan/apply/destroy, {n} functions (run {rep + 1} of {args.repeat})", flush=True)
                scales[n].append(scaling(n, work / f"run{rep}"))
    text = report(info, cold, bulk, args.bulk, scales, args.repeat, imports, calls)
    write_report(args.output, text)
    print(text)


if __name__ == "__main__":
    main()
