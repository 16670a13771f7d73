"""The lens's unstated choices on the weak DCGAN (issue 26): reconstruction scale (per-pixel mean or eq. 2's sum)
x K (a quarter or half of the run), each against the same seed's run without a lens.

Runs into the lens-mnist card's folder, so the card's runs without a lens and its (mean, K = 1,000) arm are reused
for the same seeds and initial weights; prints one row per arm: per-seed end and best classifier-FID ratios (with /
without), the step at which the lens run first beats the baseline after lambda reaches 0, and the verdict of each
rule fixed below, before any run.

Usage: python scripts/lens_scale_k_study.py [--out runs/cpu/lens-mnist] [--seeds 3]
"""

from __future__ import annotations

import argparse
import statistics
from dataclasses import replace
from pathlib import Path

from latentgan.experiments.lens_common import (
    NO_LENS,
    WEAK_DCGAN,
    WITH_LENS,
    end_value,
    lens_arm,
    metric_curve,
    train_lens_run,
)
from latentgan.experiments.lens_mnist import BUDGETS
from latentgan.experiments.protocol import Arm, DecisionRule, decide

BUDGET = BUDGETS["cpu"]
# Fixed before the runs: (b) the end and the best FID with the lens <= 0.75x the baseline's, mean over seeds with
# its t interval; (a) "overtakes soon after lambda reaches 0": in every seed, the lens run's FID is below the
# baseline's at some evaluation within 1,000 steps (a quarter of the run) after lambda reaches 0.
END_RULE = DecisionRule("end classifier FID with lens / without (same seed)", 0.75, "below", seeds=3,
                        source="issue 26 (b); paper MNIST 22 / 42")
BEST_RULE = DecisionRule("best classifier FID with lens / without (same seed)", 0.75, "below", seeds=3,
                         source="issue 26 (b), best evaluation")
OVERTAKE_WINDOW = 1000


def arms() -> list[tuple[Arm, int]]:
    """(arm, K) for reconstruction mean / sum x K = a quarter / half of the run; the first is lens-mnist's arm."""
    half = BUDGET.steps // 2
    return [(lens_arm(WITH_LENS, BUDGET), BUDGET.k),
            (lens_arm("with lens, K half", replace(BUDGET, k=half)), half),
            (lens_arm("with lens, sum", BUDGET, reconstruction="sum"), BUDGET.k),
            (lens_arm("with lens, sum, K half", replace(BUDGET, k=half), reconstruction="sum"), half)]


def overtakes(lens: list[tuple[int, float]], base: list[tuple[int, float]], k: int) -> int | None:
    """The first evaluation step in (k, k + window] at which the lens run's FID is below the baseline's, or None."""
    baseline = dict(base)
    return next((s for s, v in lens if k < s <= k + OVERTAKE_WINDOW and s in baseline and v < baseline[s]), None)


def main() -> None:
    """Train what is missing (one process), then print the table and the verdicts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/cpu/lens-mnist")
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    seeds = range(args.seeds)
    base = [Path(train_lens_run(WEAK_DCGAN, Arm(NO_LENS), s, BUDGET, args.out, "cpu", "cfid", 4 if s == 0 else 1))
            for s in seeds]
    base_curves = [metric_curve(d) for d in base]
    print("| arm | K | end ratio per seed | end mean [95% t] | best ratio mean [95% t] | overtakes at (per seed) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for arm, k in arms():
        runs = [Path(train_lens_run(WEAK_DCGAN, arm, s, BUDGET, args.out, "cpu", "cfid", 4 if s == 0 else 1))
                for s in seeds]
        curves = [metric_curve(d) for d in runs]
        ends = [end_value(c) / end_value(b) for c, b in zip(curves, base_curves, strict=True)]
        bests = [min(v for _, v in c) / min(v for _, v in b) for c, b in zip(curves, base_curves, strict=True)]
        end = decide(replace(END_RULE, seeds=len(ends)), ends)
        best = decide(replace(BEST_RULE, seeds=len(bests)), bests)
        over = [overtakes(c, b, k) for c, b in zip(curves, base_curves, strict=True)]
        print(f"| {arm.name} | {k:,} | {', '.join(f'{r:.2f}' for r in ends)} | {end.mean:.2f} [{end.low:.2f}, "
              f"{end.high:.2f}] {end.verdict} | {best.mean:.2f} [{best.low:.2f}, {best.high:.2f}] {best.verdict} | "
              f"{', '.join(str(s) if s else 'never' for s in over)} "
              f"({'every seed' if all(over) else 'not every seed'}) |")
    print(f"baseline end cFID per seed: {', '.join(f'{end_value(c):.1f}' for c in base_curves)}; "
          f"mean {statistics.fmean(end_value(c) for c in base_curves):.1f}")


if __name__ == "__main__":
    main()
