"""Import cost of the CLI against torch alone: each import in a fresh interpreter, side by side, in one run.

    OMP_NUM_THREADS=1 PYTHONPATH=$PWD python bench/import_time.py --repeats 5

Prints the median CPU seconds (user + system of the child) of `import torch` and of `import latentgan.cli`,
and their ratio; the target is latentgan.cli <= 1.3x torch. The runs alternate so both see the same machine load.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys

# nn.mlp and api are shown for context: one network module, and the whole training entry point.
STATEMENTS = {"torch": "import torch", "latentgan.cli": "import latentgan.cli",
              "latentgan.nn.mlp": "import latentgan.nn.mlp", "latentgan.api": "import latentgan.api"}


def cpu_seconds(statement: str) -> float:
    """CPU seconds a fresh interpreter spends running `statement` (start-up included, as a user pays it)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", statement], check=True, env=os.environ.copy())
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    """Time both imports `--repeats` times, interleaved, and print medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in STATEMENTS}
    for _ in range(args.repeats):
        for name, statement in STATEMENTS.items():
            times[name].append(cpu_seconds(statement))
    medians = {name: statistics.median(t) for name, t in times.items()}
    for name, t in times.items():
        print(f"import {name:<16} median {medians[name]:.2f} s CPU  (runs: {', '.join(f'{x:.2f}' for x in t)})")
    for name in STATEMENTS:
        if name != "torch":
            print(f"ratio {name} / torch = {medians[name] / medians['torch']:.2f}x")
    print("target: latentgan.cli <= 1.3x torch")


if __name__ == "__main__":
    main()
