"""Soak test of kill safety: SIGKILL a training run at random moments, resume it, compare with a clean run.

1. A reference run trains uninterrupted in a subprocess.
2. The same config trains again in a subprocess that is SIGKILLed at random moments (seeded RNG: a
   target step, then a random part of two checkpoint intervals), then resumed with `latentgan.resume`,
   again and again, `--kills` times; frequent checkpoints make many kills land inside a checkpoint
   write. A run killed before its first checkpoint is deleted and started again, as the error says.
3. After every kill each checkpoint in the run directory must load (`read_checkpoint`); at the end
   the final checkpoint's weights, optimizer and training state must equal the reference bit for bit
   (CPU), and the logged losses must be the same.

Any model works: the config comes from --config and --set, e.g.

    OMP_NUM_THREADS=1 .venv/bin/python scripts/soak_kill.py --name gan-ring --kills 20 \\
        --set model.name=gan --set data.name=ring --set train.steps=400 --set train.checkpoint_every=2
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

RUN_DEFAULTS = ["train.device=cpu", "train.progress=false", "train.sample_every=100000"]
TIMING_KEYS = {"images_per_sec", "wall_sec"}


def child(args: argparse.Namespace) -> int:
    """In the subprocess: import, say 'ready' through a file, then train or resume."""
    import latentgan
    from latentgan.config import load_config

    Path(f"{args.ready_file}.tmp").write_text(latentgan.__file__)
    os.replace(f"{args.ready_file}.tmp", args.ready_file)  # appears complete
    if args.child == "train":
        latentgan.train(load_config(args.config, RUN_DEFAULTS + args.set), out=args.run_dir, log=lambda *a: None)
    else:
        latentgan.resume(args.run_dir, log=lambda *a: None)
    return 0


def freeze_package(work: Path) -> None:
    """Copy the latentgan package into work/src and use that copy here and in every subprocess.

    A soak takes minutes; edits to the source tree meanwhile must not mix code versions between the
    reference run and the resumed processes.
    """
    source = Path(importlib.util.find_spec("latentgan").origin).parent
    shutil.copytree(source, work / "src" / "latentgan", ignore=shutil.ignore_patterns("__pycache__"))
    sys.path.insert(0, str(work / "src"))
    os.environ["PYTHONPATH"] = os.pathsep.join([str(work / "src"), *filter(None, [os.environ.get("PYTHONPATH")])])


def start_child(mode: str, run_dir: Path, ready: Path, args: argparse.Namespace, log) -> subprocess.Popen:
    """Start a train/resume subprocess with one intra-op thread (the same in every process: bit-exact)."""
    ready.unlink(missing_ok=True)
    cmd = [sys.executable, __file__, "--child", mode, "--run-dir", str(run_dir), "--ready-file", str(ready)]
    cmd += (["--config", args.config] if args.config else []) + [a for s in args.set for a in ("--set", s)]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    return subprocess.Popen(cmd, stdout=log, stderr=log, env=env)


def wait_ready(proc: subprocess.Popen, ready: Path) -> None:
    """Poll until the child has imported everything (so kill delays count training time, not imports)."""
    while not ready.exists() and proc.poll() is None:
        time.sleep(0.01)
    if ready.exists() and not ready.read_text().startswith(str(ready.parent / "src")):
        raise SystemExit(f"a subprocess imported {ready.read_text()!r}, not the frozen copy in {ready.parent}")


def checkpoint_files(run_dir: Path) -> tuple[list[Path], list[Path]]:
    """(checkpoints, temporary files of interrupted writes) in the run's checkpoints/."""
    from latentgan.checkpoint import list_checkpoints

    folder = run_dir / "checkpoints"
    return list_checkpoints(folder), sorted(folder.glob(".*.tmp")) if folder.is_dir() else []


def check_all_load(run_dir: Path, seen: dict[str, int]) -> int:
    """Load every checkpoint present (raises on any failure); record each distinct file; newest step."""
    from latentgan.checkpoint import read_checkpoint

    newest = 0
    for path in checkpoint_files(run_dir)[0]:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        state = read_checkpoint(path)
        seen[digest] = state["step"]
        newest = max(newest, state["step"])
    return newest


def same(a, b, where: str = "") -> list[str]:
    """Paths at which two checkpoint trees differ (tensors compared exactly)."""
    import torch

    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return [f"{where}: keys {sorted(set(a) ^ set(b), key=str)}"]
        return [d for k in a for d in same(a[k], b[k], f"{where}.{k}")]
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        if len(a) != len(b):
            return [f"{where}: lengths {len(a)} != {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in same(x, y, f"{where}[{i}]")]
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        return [] if a.shape == b.shape and a.dtype == b.dtype and torch.equal(a, b) else [where]
    return [] if a == b else [where]


def losses(run_dir: Path) -> list[dict]:
    lines = [json.loads(s) for s in (run_dir / "metrics.jsonl").read_text().splitlines()]
    return [{k: v for k, v in r.items() if k not in TIMING_KEYS} for r in lines]


def newest_step(run_dir: Path) -> int:
    """Step of the newest checkpoint file (by name; 0 when there is none)."""
    found = checkpoint_files(run_dir)[0] if run_dir.exists() else []
    return int(found[-1].stem.split("_")[1]) if found else 0


def reference_run(args: argparse.Namespace, work: Path, log, steps: int) -> float:
    """Train uninterrupted; returns the seconds per training step (timed between checkpoints)."""
    ready, run_dir = work / "ready", work / "reference"
    proc = start_child("train", run_dir, ready, args, log)
    wait_ready(proc, ready)
    while proc.poll() is None and newest_step(run_dir) == 0:
        time.sleep(0.005)
    first, start = newest_step(run_dir), time.time()
    while proc.poll() is None and newest_step(run_dir) < steps:
        time.sleep(0.005)
    per_step = (time.time() - start) / max(newest_step(run_dir) - first, 1)
    if proc.wait() != 0:
        raise SystemExit(f"the reference run failed; see {work / 'soak.log'}")
    return per_step


def killed_run(args: argparse.Namespace, work: Path, log, per_step: float, steps: int, every: int) -> dict:
    """Train with `args.kills` SIGKILLs and resumes; returns the figures.

    Kill i waits for a checkpoint at or past a random target step, then for a random fraction of two
    checkpoint intervals: kills land in steps, in checkpoint writes, in log writes and in start-ups.
    """
    rng, run_dir, ready = random.Random(args.seed), work / "killed", work / "ready"
    targets = sorted(rng.randrange(steps) for _ in range(args.kills))
    seen: dict[str, int] = {}
    kills, restarts, mid_write = [], 0, 0
    while True:
        done = check_all_load(run_dir, seen) if run_dir.exists() else 0
        if run_dir.exists() and not checkpoint_files(run_dir)[0]:
            shutil.rmtree(run_dir)  # killed before its first checkpoint: start again, as the error says
            restarts += 1
        mode = "resume" if run_dir.exists() else "train"
        proc = start_child(mode, run_dir, ready, args, log)
        wait_ready(proc, ready)
        delay = None
        if len(kills) < args.kills:
            while proc.poll() is None and newest_step(run_dir) < targets[len(kills)]:
                time.sleep(0.002)
            delay = rng.uniform(0, 2 * every * per_step)
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            temporary = checkpoint_files(run_dir)[1] if run_dir.exists() else []
            mid_write += bool(temporary)
            kills.append({"target_step": targets[len(kills)], "from_step": done, "delay_s": round(delay, 4),
                          "newest_after_kill": newest_step(run_dir), "mid_write": bool(temporary)})
            continue
        if proc.returncode != 0:
            raise SystemExit(f"a {mode} subprocess failed (exit {proc.returncode}); see {work / 'soak.log'}")
        check_all_load(run_dir, seen)
        return {"kills": kills, "kills_mid_checkpoint_write": mid_write, "restarts_before_first_checkpoint":
                restarts, "checkpoints": seen}


def compare(work: Path, steps: int) -> dict:
    """Final checkpoints and logged losses of the two runs."""
    from latentgan.checkpoint import checkpoint_path, read_checkpoint

    a = read_checkpoint(checkpoint_path(work / "reference" / "checkpoints", steps))
    b = read_checkpoint(checkpoint_path(work / "killed" / "checkpoints", steps))
    keys = ("model", "training", "data_order", "losses", "rng", "step")
    differences = [d for k in keys for d in same(a[k], b[k], k)]
    return {"identical": not differences and losses(work / "reference") == losses(work / "killed"),
            "differences": differences[:10], "leftover_temporary_files": len(checkpoint_files(work / "killed")[1])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--name", default="soak", help="label of this soak (directory and report)")
    parser.add_argument("--config", help="YAML config (path or packaged name)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="config override")
    parser.add_argument("--kills", type=int, default=20, help="SIGKILLs to survive (default 20)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the kill delays (default 0)")
    parser.add_argument("--workdir", help="where the two runs go (default runs/soak/NAME; emptied first)")
    parser.add_argument("--out", help="write the figures as JSON here")
    parser.add_argument("--child", choices=("train", "resume"), help=argparse.SUPPRESS)
    parser.add_argument("--run-dir", help=argparse.SUPPRESS)
    parser.add_argument("--ready-file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    work = Path(args.workdir or Path("runs") / "soak" / args.name).resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    freeze_package(work)
    from latentgan.config import load_config

    train = load_config(args.config, RUN_DEFAULTS + args.set).train  # fails early on a bad config
    steps = train.steps
    start = time.time()
    with open(work / "soak.log", "w") as log:
        per_step = reference_run(args, work, log, steps)
        figures = killed_run(args, work, log, per_step, steps, train.checkpoint_every)
    result = compare(work, steps)
    report = {"name": args.name, "overrides": args.set, "steps": steps, "seed": args.seed,
              "ms_per_step": round(1000 * per_step, 2), "kills_survived": len(figures["kills"]),
              "kills_mid_checkpoint_write": figures["kills_mid_checkpoint_write"],
              "restarts_before_first_checkpoint": figures["restarts_before_first_checkpoint"],
              "checkpoints_loaded": len(figures["checkpoints"]), **result,
              "total_seconds": round(time.time() - start, 1), "kill_log": figures["kills"]}
    print(json.dumps({k: v for k, v in report.items() if k != "kill_log"}, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1) + "\n")
    return 0 if result["identical"] and len(figures["kills"]) == args.kills else 1


if __name__ == "__main__":
    sys.exit(main())
