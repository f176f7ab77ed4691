"""The benchmark's arithmetic: medians, per-run ratios, and the README section it keeps."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location("bench_run", Path(__file__).resolve().parent.parent / "bench" / "run.py")
bench = importlib.util.module_from_spec(_SPEC)
sys.modules["bench_run"] = bench  # dataclasses look their module up while the class is made
_SPEC.loader.exec_module(bench)


@pytest.mark.parametrize(
    ("values", "shown"),
    [([2.0, 1.0, 9.0], "2.00 (1.00–9.00)"), ([4.0], "4.00"), ([3.0, 3.0], "3.00")],
)
def test_a_figure_is_the_median_with_its_range(values, shown) -> None:
    assert bench.spread(values).show() == shown


def test_scaling_ratios_are_taken_within_each_repetition() -> None:
    small = [{"resources": 10, "apply_s": 10.0}, {"resources": 10, "apply_s": 20.0}]
    big = [{"resources": 100, "apply_s": 30.0}, {"resources": 100, "apply_s": 100.0}]
    runs = {5: [dict(r, plan_s=1, apply_cpu_s=1, noop_apply_s=1, destroy_s=1) for r in small],
            50: [dict(r, plan_s=1, apply_cpu_s=1, noop_apply_s=1, destroy_s=1) for r in big]}
    # 3x and 5x within the runs: median 4x, not the 65/15 = 4.3x of the medians.
    assert bench.scaling_ratios(runs)["apply_s"] == bench.Spread(4.0, 3.0, 5.0)


def test_per_run_ratios_use_that_runs_own_figures() -> None:
    run = {"resources": 4, "apply_calls": 14, "noop_plan_calls": 20, "noop_apply_calls": 20,
           "apply_s": 10.0, "noop_apply_s": 4.0}
    derived = bench.derived(run)
    assert (derived["apply_calls_per"], derived["noop_apply_calls_per"], derived["noop_ratio"]) == (3.5, 5.0, 0.4)


def test_a_new_report_keeps_the_hand_written_section(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# old figures\n\n{bench.KEEP_MARKER}\n\n## What changed\nkept by hand\n")
    bench.write_report(readme, "# new figures\n")
    assert readme.read_text() == f"# new figures\n\n{bench.KEEP_MARKER}\n\n## What changed\nkept by hand\n"


def test_a_first_report_starts_with_an_empty_kept_section(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    bench.write_report(readme, "# figures\n")
    assert readme.read_text() == f"# figures\n\n{bench.KEEP_MARKER}"
