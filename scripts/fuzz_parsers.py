"""Long fuzz run of latentgan's parsers: hypothesis, round-robin over the targets, for a given duration.

The targets (IDX, CIFAR batches, CelebA lists, config overrides / trees / YAML text) are those of the
bounded suite, tests/bad_inputs/fuzz_targets.py; here each gets fresh random seeds until time is up.
A finding is any exception other than a LatentganError; each distinct one is printed with its
shrunk falsifying example and written to the JSON report.

    OMP_NUM_THREADS=1 .venv/bin/python scripts/fuzz_parsers.py --seconds 300 --out fuzz.json
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests.bad_inputs
from tests.bad_inputs.fuzz_targets import TARGETS  # noqa: E402

ROUND = settings(max_examples=200, deadline=None, database=None, report_multiple_bugs=False,
                 suppress_health_check=list(HealthCheck))


def fuzz_round(name: str, folder: Path, round_seed: int, counter: list[int]) -> dict | None:
    """One hypothesis run of a target; a finding (exception, shrunk example) or None."""
    strategy, check = TARGETS[name]

    @seed(round_seed)
    @ROUND
    @given(strategy)
    def property_(value):
        counter[0] += 1
        check(folder, value)

    try:
        property_()
    except Exception as err:  # a finding: anything but LatentganError escaped the parser
        notes = [n for n in getattr(err, "__notes__", []) if n.strip()]
        return {"target": name, "seed": round_seed, "error": f"{type(err).__name__}: {str(err)[:300]}",
                "example": "\n".join(notes)[:2000]}
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=300.0, help="total duration (default 300)")
    parser.add_argument("--targets", default=",".join(TARGETS), help=f"comma-separated, of {', '.join(TARGETS)}")
    parser.add_argument("--seed", type=int, default=0, help="seed of the round seeds (default 0)")
    parser.add_argument("--out", help="write the report as JSON here")
    args = parser.parse_args(argv)
    names = [n for n in args.targets.split(",") if n]
    unknown = sorted(set(names) - set(TARGETS))
    if unknown:
        parser.error(f"unknown targets {unknown}")
    rng, deadline, start = random.Random(args.seed), time.time() + args.seconds, time.time()
    examples = {n: [0] for n in names}
    findings: dict[tuple[str, str], dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        while time.time() < deadline:
            for name in names:
                folder = Path(tmp) / name
                folder.mkdir(exist_ok=True)
                found = fuzz_round(name, folder, rng.randrange(2**32), examples[name])
                if found and (name, found["error"].splitlines()[0]) not in findings:
                    findings[(name, found["error"].splitlines()[0])] = found
                    print(f"FINDING in {name}: {found['error']}\n{found['example']}\n", flush=True)
                if time.time() >= deadline:
                    break
    report = {"seconds": round(time.time() - start, 1), "seed": args.seed,
              "examples": {n: c[0] for n, c in examples.items()}, "total_examples": sum(c[0] for c in
                                                                                        examples.values()),
              "findings": list(findings.values())}
    print(json.dumps({k: v for k, v in report.items() if k != "findings"}, indent=1))
    print(f"{len(findings)} distinct finding(s)")
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1) + "\n")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
