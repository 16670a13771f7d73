"""The run directory: config.yaml, run.json, checkpoints/, metrics.jsonl, samples/, summary.md."""

from __future__ import annotations

import json
import time
from pathlib import Path

import yaml

from latentgan.checkpoint import list_checkpoints
from latentgan.config import RunConfig
from latentgan.errors import RunDirError
from latentgan.files import write_text_atomic  # noqa: F401 (experiments/card.py imports it from here; pending)
from latentgan.models.base import DataShape
from latentgan.run import CONFIG, META, checkpoints_dir, read_run  # noqa: F401 (read_run: experiments/ import it from here; pending)


def default_run_dir(config: RunConfig) -> Path:
    """runs/<model>-<data>-<YYYYmmdd-HHMMSS> under the current directory."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return Path("runs") / f"{config.model.name}-{config.data.name}-{stamp}"


def prepare_new_run(run_dir: Path) -> None:
    """Refuse to overwrite an existing run; create the directory otherwise."""
    if (run_dir / CONFIG).exists() or list_checkpoints(checkpoints_dir(run_dir)):
        raise RunDirError(f"'{run_dir}' already holds a run; continue it with `latentgan resume {run_dir}` "
                          "or choose another --out")
    if run_dir.exists() and not run_dir.is_dir():
        raise RunDirError(f"'{run_dir}' exists and is not a directory; choose another --out")
    run_dir.mkdir(parents=True, exist_ok=True)


def write_run_files(run_dir: Path, config: RunConfig, data_shape: DataShape, world_size: int = 1) -> None:
    """Write the resolved config and the run's metadata (enough to rebuild the model without data)."""
    from latentgan import __version__

    write_text_atomic(run_dir / CONFIG, yaml.safe_dump(config.to_dict(), sort_keys=False))
    meta = {"latentgan_version": __version__, "model": config.model.name, "data": config.data.name,
            "data_shape": data_shape.to_dict(), "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "world_size": world_size}
    write_text_atomic(run_dir / META, json.dumps(meta, indent=2) + "\n")
