"""Tables and decisions of scripts/alice_weight_study.py's JSON lines, by the rule fixed in docs/results.md (ALICE
weight study at the cpu tier): the weight with the best mean class agreement among ALICE arms whose mean classifier
FID is at most 1.25 x plain ALI's; ties within 0.01 go to the smaller weight.

    python scripts/alice_study_summary.py /tmp/ali3/mnist.jsonl [--threshold 0.9] [--pick]
    python scripts/alice_study_summary.py runs/options.jsonl --options   # each arm against plain, paired by seed
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections import defaultdict
from pathlib import Path

from latentgan.experiments.protocol import DecisionRule, decide

FID_MARGIN = 1.25  # an eligible arm's mean FID is at most this times plain ALI's
TIE = 0.01  # class agreements this close count as equal; the smaller weight wins
COLUMNS = ("agreement", "agreement_sampled", "mse", "cfid", "sigma_median", "probe_hidden", "probe_pixels",
           "probe_hidden_std", "last_d_loss", "train_cpu_s")
D_WINS = 0.1  # a last logged D loss at or below this: D has won outright (the options study's "trains" rule)


def weight(arm: str) -> float:
    """The recon_weight of an arm name ('plain' -> 0, 'alice-3' -> 3); other arms sort last."""
    if arm == "plain":
        return 0.0
    return float(arm.split("-", 1)[1]) if arm.startswith("alice-") else float("inf")


def load(path: Path) -> dict[str, list[dict]]:
    """Rows by arm, ordered by seed."""
    rows = defaultdict(list)
    for line in path.read_text().splitlines():
        if line.strip():
            row = json.loads(line)
            rows[row["arm"]].append(row)
    return {arm: sorted(r, key=lambda row: row["seed"]) for arm, r in sorted(rows.items(), key=lambda i: weight(i[0]))}


def mean(rows: list[dict], key: str) -> float | None:
    """Mean of a column over seeds (None when absent)."""
    values = [r[key] for r in rows if r.get(key) is not None]
    return statistics.fmean(values) if values else None


def pick(rows: dict[str, list[dict]]) -> tuple[str | None, str]:
    """The chosen arm by the study's rule, and why."""
    plain_fid = mean(rows["plain"], "cfid")
    alice = [a for a in rows if a.startswith("alice-")]
    eligible = [a for a in alice if mean(rows[a], "cfid") <= FID_MARGIN * plain_fid]
    if eligible:
        best = max(mean(rows[a], "agreement") for a in eligible)
        chosen = min((a for a in eligible if mean(rows[a], "agreement") >= best - TIE), key=weight)
        return chosen, f"eligible (FID <= {FID_MARGIN} x plain's {plain_fid:.1f}): {', '.join(eligible)}"
    plain = {r["seed"]: r["agreement"] for r in rows["plain"]}
    better = [a for a in alice if all(r["agreement"] > plain[r["seed"]] for r in rows[a])]
    if not better:
        return None, "no ALICE arm is eligible or beats plain ALI in every seed"
    return min(better, key=lambda a: mean(rows[a], "cfid")), "no arm eligible: smallest FID among those beating plain"


def main() -> None:
    """Print per-seed and mean tables (markdown), the chosen arm and the decisions."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("jsonl", type=Path)
    parser.add_argument("--threshold", type=float, default=0.9, help="class agreement target")
    parser.add_argument("--pick", action="store_true", help="print only the chosen arm's name")
    parser.add_argument("--options", action="store_true",
                        help="the training-options study's rules: each arm against plain, paired by seed")
    parser.add_argument("--chosen", help="decide on this arm instead of picking one (e.g. packaged, for Fashion-MNIST)")
    args = parser.parse_args()
    rows = load(args.jsonl)
    chosen, why = pick(rows) if "plain" in rows else (None, "no plain arm")
    if args.chosen:
        chosen, why = args.chosen, "named with --chosen"
    if args.pick:
        print(chosen or "")
        return
    columns = [c for c in COLUMNS if any(c in r for arm in rows.values() for r in arm)]
    print("| arm | seed | " + " | ".join(columns) + " |\n|" + "---|" * (len(columns) + 2))
    for arm, arm_rows in rows.items():
        for r in arm_rows:
            print(f"| {arm} | {r['seed']} | " + " | ".join(_fmt(r.get(c)) for c in columns) + " |")
        print(f"| **{arm}** | mean | " + " | ".join(_fmt(mean(arm_rows, c)) for c in columns) + " |")
    if args.options:
        _options(rows)
        return
    print(f"\nchosen: {chosen} ({why})")
    if chosen:
        target = DecisionRule("reconstruction class agreement", args.threshold, "above", seeds=len(rows[chosen]))
        print(_line(decide(target, [r["agreement"] for r in rows[chosen]])))
        plain = {r["seed"]: r["agreement"] for r in rows.get("plain", [])}
        paired = [r["agreement"] - plain[r["seed"]] for r in rows[chosen] if r["seed"] in plain]
        if paired:
            gap = DecisionRule("class agreement, chosen ALICE minus plain ALI", 0.0, "above", seeds=len(paired))
            print(_line(decide(gap, paired)))
        gaps = [r["probe_hidden"] - r["probe_pixels"] for r in rows[chosen] if r.get("probe_hidden") is not None]
        if gaps:
            spread = mean(rows[chosen], "probe_hidden_std")
            print(f"probe: hidden minus pixels {statistics.fmean(gaps):+.4f} (per seed "
                  f"{', '.join(f'{g:+.4f}' for g in gaps)}) against the hidden probe's std {spread:.4f}: "
                  f"{'met' if statistics.fmean(gaps) > spread else 'not met'}")


def _options(rows: dict[str, list[dict]]) -> None:
    """Per arm: does it train (D not winning in any seed, FID within the margin of plain's) and is its class
    agreement better, worse or not shown different from plain ALI's, paired by seed."""
    plain = {r["seed"]: r for r in rows["plain"]}
    plain_fid = mean(rows["plain"], "cfid")
    for arm, arm_rows in rows.items():
        if arm == "plain":
            continue
        losses = [r.get("last_d_loss") for r in arm_rows]
        trains = all(v is not None and v > D_WINS for v in losses) and mean(arm_rows, "cfid") <= FID_MARGIN * plain_fid
        paired = [r["agreement"] - plain[r["seed"]]["agreement"] for r in arm_rows if r["seed"] in plain]
        rule = DecisionRule(f"class agreement, {arm} minus plain", 0.0, "above", seeds=len(paired))
        better, worse = decide(rule, paired), decide(rule, [-d for d in paired])
        verdict = ("better" if better.verdict == "reproduced" else "worse" if worse.verdict == "reproduced"
                   else "no difference shown")
        print(f"\n{arm}: trains {trains} (last D loss {', '.join(_fmt(v) for v in losses)}; mean cFID "
              f"{_fmt(mean(arm_rows, 'cfid'))} vs plain {plain_fid:.1f}); {_line(better)} -> {verdict}")


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def _line(d) -> str:
    return (f"{d.rule.label}: mean {d.mean:.3f}, 95 % interval [{d.low:.3f}, {d.high:.3f}] against "
            f"{d.rule.threshold}: {d.verdict}")


if __name__ == "__main__":
    main()
