"""scripts/gpu_check.sh in its dry mode (CPU, tiny budgets), so the GPU check cannot rot between GPU sessions."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[1] / "scripts" / "gpu_check.sh"


def _dry_run(out: Path, **env: str) -> list[str]:
    """Run the script with --dry; return the summary lines, after checking the one archive holds them."""
    full_env = {**os.environ, "PY": sys.executable, "OMP_NUM_THREADS": "1", "DEADLINE": "3000", **env}
    done = subprocess.run(["bash", str(SCRIPT), "--dry", str(out)], env=full_env, capture_output=True, text=True,
                          timeout=3600)
    assert done.returncode == 0, done.stderr
    archive = out / "gpu_check_results.tar.gz"
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        summary = tar.extractfile("results/summary.txt").read().decode().splitlines()
    assert "results/machine.txt" in names
    return summary


def test_gpu_check_script_parses():
    assert subprocess.run(["bash", "-n", str(SCRIPT)]).returncode == 0


def test_gpu_check_dry_run_of_one_config(tmp_path):
    summary = _dry_run(tmp_path, JOBS="configs", CONFIGS="gan-ring")
    jobs = [line for line in summary if line.startswith("config_")]
    assert [line.split()[0] for line in jobs] == [f"config_gan-ring_{j}" for j in ("train", "resume", "sample", "eval")]
    assert all(" rc=0 " in line for line in jobs), summary


@pytest.mark.slow
def test_gpu_check_dry_run_of_everything(tmp_path):
    summary = _dry_run(tmp_path)
    jobs = [line for line in summary if not line.startswith("total")]
    configs = sorted(p.stem for p in (Path(__file__).parents[1] / "latentgan" / "configs").glob("*.yaml"))
    assert len([j for j in jobs if j.endswith("_eval") or "_eval " in j]) == len(configs)
    assert all(" rc=0 " in line for line in jobs), "\n".join(jobs)
