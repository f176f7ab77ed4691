"""Benchmarks of the real CLI against the real sandbox; writes bench/README.md.

Every figure comes from subprocesses of `.venv/bin/provision` (and of
check-jsonschema for the validate comparison), each sandbox lives in its own
temporary state directory, and every ratio is taken within the same run.
AWS calls are counted at the sandbox by the request counter of its fault
middleware (`/_provision/faults`), so they do not depend on the machine.

    make bench                                   # everything, about 10 minutes
    .venv/bin/python bench/run.py --scales 5 20  # smaller scaling runs
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


def median_time(args: list[str], times: int) -> float:
    return statistics.median(run(args).seconds for _ in range(times))


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

def validate_cold(times: int) -> dict[str, float]:
    ours = median_time([PROVISION, "validate", str(EXAMPLE), "-q"], times)
    theirs = median_time([CHECK_JSONSCHEMA, "--schemafile", str(SCHEMA), str(EXAMPLE)], times)
    return {"provision": ours, "check-jsonschema": theirs}


def bulk_plans(directory: Path, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        source = EXAMPLES[i % len(EXAMPLES)]
        target = directory / f"{i:04d}-{source.name}"
        shutil.copyfile(source, target)
        paths.append(target)
    return paths


def validate_bulk(directory: Path, paths: list[Path]) -> dict[str, Run]:
    # Some examples carry advisory findings; exit codes 0 and 1 both mean "checked".
    ours = run([PROVISION, "validate", str(directory), "-q"], check=False)
    theirs = run([CHECK_JSONSCHEMA, "--schemafile", str(SCHEMA), *map(str, paths)], check=False)
    for name, result in (("provision", ours), ("check-jsonschema", theirs)):
        if result.returncode not in (0, 1):
            raise RuntimeError(f"{name} bulk validate failed ({result.returncode}):\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return {"provision": ours, "check-jsonschema": theirs}


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
        from provision.stacks.sandbox.faults import FaultControl

        port = json.loads((state_dir / "sandbox" / "server.json").read_text())["port"]
        self.control = FaultControl(f"http://127.0.0.1:{port}")
        self.control.clear()

    def take(self) -> int:
        """Calls since the last take, and start counting afresh."""
        return int(self.control.clear()["requests"])


def scaling(functions: int, work: Path) -> dict[str, float]:
    plan = work / f"bench-{functions}.yaml"
    plan.write_text(yaml.safe_dump(scaled_plan(functions), sort_keys=False))
    state = work / f"state-{functions}"
    env = {**ENV, "PROVISION_STATE_DIR": str(state)}
    step = lambda *args: run([PROVISION, *args], env=env)  # noqa: E731
    step("validate", str(plan), "-q")
    step("sandbox", "start")
    try:
        counter = Counter(state)
        out: dict[str, float] = {}
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
        out["noop_apply_calls"] = counter.take()
        out["destroy_s"] = step("destroy", str(plan), "--yes").seconds
        return out
    finally:
        run([PROVISION, "sandbox", "stop"], env=env, check=False)


# --- report ----------------------------------------------------------------------------------------

def report(info: dict[str, str], cold: dict[str, float], bulk: dict[str, Run], count: int,
           scales: dict[int, dict[str, float]], imports: list, calls: list) -> str:
    ours, theirs = bulk["provision"], bulk["check-jsonschema"]
    rate = lambda r: count / r.seconds  # noqa: E731
    lines = [
        "# Benchmarks",
        "",
        "Produced by `make bench` (`bench/run.py`): the real CLI in subprocesses, the real sandbox",
        "(a fresh one per plan size, state in a temporary directory). Times are wall-clock seconds;",
        "ratios are taken within the same run. AWS calls are counted at the sandbox (the request",
        "counter of its fault middleware), so they do not depend on the machine.",
        "",
        f"Machine: {info['cpu']}, {info['nproc']} CPUs, {info['memory']} memory, {info['os']};",
        f"Python {info['python']}, engine {info['engine']}. Date: {info['date']}.",
        f"Load average at the start (1, 5, 15 min): {info['load']} (the machine may be shared).",
        "",
        "## Validate",
        "",
        "| Measure | provision validate | check-jsonschema (schema only) | ratio |",
        "|---|---|---|---|",
        f"| cold, one plan (median of {COLD_RUNS}) | {cold['provision']:.2f} s | {cold['check-jsonschema']:.2f} s "
        f"| {cold['provision'] / cold['check-jsonschema']:.2f}x |",
        f"| bulk, {count} plans in one call | {rate(ours):.0f} plans/s ({ours.seconds:.1f} s) "
        f"| {rate(theirs):.0f} plans/s ({theirs.seconds:.1f} s) | {ours.seconds / theirs.seconds:.2f}x time |",
        f"| bulk, peak memory (maxrss) | {ours.maxrss_mb:.0f} MB | {theirs.maxrss_mb:.0f} MB "
        f"| {ours.maxrss_mb / theirs.maxrss_mb:.2f}x |",
        "",
        "provision validate does more than the schema check: line/column findings with fixes and the",
        "governance policies.",
        "",
        "## Plan, apply, destroy on the sandbox",
        "",
        "Plans of N functions: N-1 static sites and one backup of them all. One run per size.",
        "",
        "| Functions | Resources | plan (s) | first apply (s) | its CPU (s) | no-op plan (s) | no-op apply (s) | destroy (s) "
        "| calls/resource: apply | no-op plan | no-op apply |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for n, s in scales.items():
        per = lambda key: s[key] / s["resources"]  # noqa: E731
        lines.append(f"| {n} | {s['resources']:.0f} | {s['plan_s']:.1f} | {s['apply_s']:.1f} | {s['apply_cpu_s']:.1f} "
                     f"| {s['noop_plan_s']:.1f} "
                     f"| {s['noop_apply_s']:.1f} | {s['destroy_s']:.1f} | {per('apply_calls'):.2f} "
                     f"| {per('noop_plan_calls'):.2f} | {per('noop_apply_calls'):.2f} |")
    sizes = sorted(scales)
    if len(sizes) > 1:
        small, big = scales[sizes[0]], scales[sizes[-1]]
        lines += [
            "",
            f"Scaling {sizes[-1]}/{sizes[0]} functions ({big['resources'] / small['resources']:.1f}x the resources): "
            f"plan {big['plan_s'] / small['plan_s']:.1f}x, first apply {big['apply_s'] / small['apply_s']:.1f}x, "
            f"destroy {big['destroy_s'] / small['destroy_s']:.1f}x; CPU of the first apply "
            f"{big['apply_cpu_s'] / small['apply_cpu_s']:.1f}x. The CPU column is user + system time of the CLI, the "
            "engine and the provider processes: when it is close to wall time x CPUs, the apply is CPU-bound "
            "and more engine parallelism cannot shorten it on this machine.",
        ]
    lines += ["", "No-op apply as a fraction of the first apply: " + ", ".join(
        f"{n} functions {s['noop_apply_s'] / s['apply_s']:.2f}" for n, s in scales.items()) + "."]
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
    parser.add_argument("--output", type=Path, default=README)
    args = parser.parse_args()
    info = machine()
    with tempfile.TemporaryDirectory(prefix="provision-bench-") as tmp:
        work = Path(tmp)
        print("validate, cold", flush=True)
        cold = validate_cold(COLD_RUNS)
        plans = work / "plans"
        plans.mkdir()
        paths = bulk_plans(plans, args.bulk)
        print(f"validate, {args.bulk} plans", flush=True)
        bulk = validate_bulk(plans, paths)
        print("profiles", flush=True)
        imports = import_profile(15)
        calls = call_profile(plans, work / "validate.prof", 15)
        scales = {}
        for n in args.scales:
            print(f"plan/apply/destroy, {n} functions", flush=True)
            scales[n] = scaling(n, work)
    text = report(info, cold, bulk, args.bulk, scales, imports, calls)
    args.output.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
