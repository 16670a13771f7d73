"""The run directory: config.yaml, run.json, checkpoints/, metrics.jsonl, samples/, summary.md."""

from __future__ import annotations

import json
import time
from pathlib import Path

import yaml

from latentgan.config import RunConfig, config_from_dict
from latentgan.errors import ConfigError, RunDirError
from latentgan.files import write_text_atomic  # noqa: F401 (experiments/card.py imports it from here; pending)
from latentgan.models.base import DataShape
from latentgan.train.checkpoint import list_checkpoints

CONFIG = "config.yaml"
META = "run.json"


def default_run_dir(config: RunConfig) -> Path:
    """runs/<model>-<data>-<YYYYmmdd-HHMMSS> under the current directory."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return Path("runs") / f"{config.model.name}-{config.data.name}-{stamp}"


def checkpoints_dir(run_dir: Path) -> Path:
    """Where a run keeps its checkpoints."""
    return run_dir / "checkpoints"


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


def read_run(run_dir: str | Path) -> tuple[RunConfig, DataShape]:
    """Read a run directory's config and data shape, with a clear error when it is not a run."""
    run_dir = Path(run_dir)
    if run_dir.exists() and not run_dir.is_dir():
        raise RunDirError(f"'{run_dir}' is a file, not a run directory; pass the directory `latentgan train` "
                          "printed")
    if not run_dir.is_dir():
        raise RunDirError(f"run directory '{run_dir}' does not exist; pass the directory `latentgan train` "
                          "printed")
    if not (run_dir / CONFIG).exists() or not (run_dir / META).exists():
        raise RunDirError(f"'{run_dir}' is not a latentgan run directory (no {CONFIG} / {META}); pass the "
                          "directory `latentgan train` printed")
    try:
        tree = yaml.safe_load((run_dir / CONFIG).read_text())
        meta = json.loads((run_dir / META).read_text())
        config = config_from_dict(tree)
        shape = DataShape.from_dict(meta["data_shape"])
    except (yaml.YAMLError, json.JSONDecodeError, KeyError, TypeError) as e:
        detail = str(e).strip().splitlines()[0] if str(e).strip() else ""
        raise RunDirError(f"the files of run '{run_dir}' are damaged ({type(e).__name__}: {detail})") from e
    except ConfigError as e:
        raise RunDirError(f"the config of run '{run_dir}' is invalid: {e}") from e
    return config, shape
