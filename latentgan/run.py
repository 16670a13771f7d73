"""A trained run directory opened once: its config, data shape, checkpoints, model, data and evaluation results.

Layout: config.yaml, run.json, checkpoints/step_NNNNNNN.pt, eval.json (eval_live.json for a train.ema run's live
weights), metrics.jsonl, samples/, summary.md. Everything that reads a run directory goes through here.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import torch
import yaml

from latentgan.checkpoint import list_checkpoints, load_latest_checkpoint, read_checkpoint
from latentgan.config import RunConfig, config_from_dict
from latentgan.data.base import Dataset
from latentgan.data.from_config import load_split, resolve_split
from latentgan.devices import select_device
from latentgan.errors import CheckpointError, ConfigError, RunDirError
from latentgan.files import write_text_atomic
from latentgan.models.base import DataShape, GenerativeModel
from latentgan.models.build import build_model

CONFIG = "config.yaml"
META = "run.json"


def checkpoints_dir(run_dir: Path) -> Path:
    """Where a run keeps its checkpoints."""
    return Path(run_dir) / "checkpoints"


def eval_file_name(averaged: bool = True) -> str:
    """Where evaluation results are kept: eval.json, or eval_live.json for a train.ema run's live weights."""
    return "eval.json" if averaged else "eval_live.json"


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


def read_eval_file(run_dir: str | Path, name: str = "eval.json") -> Any:
    """The parsed results file as it stands (any JSON value), None when there is none; RunDirError if unreadable."""
    path = Path(run_dir) / name
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise RunDirError(f"{name} could not be read ({e})") from e


def check_model_name(state: dict, config: RunConfig, run_dir: Path) -> None:
    """Refuse a checkpoint written by another model than the run's config names."""
    if state.get("model_name") != config.model.name:
        raise CheckpointError(f"the checkpoint in '{run_dir}' was written by model '{state.get('model_name')}'"
                              f" but the run's config says '{config.model.name}'; use the checkpoint's own "
                              "run directory")


class Run:
    """One run directory, read once: `Run.open(dir)` checks it is a run and reads its config and data shape."""

    def __init__(self, path: Path, config: RunConfig, data_shape: DataShape):
        self.path = path
        self.config = config
        self.data_shape = data_shape
        self._data: dict[str, Dataset] = {}

    @classmethod
    def open(cls, run_dir: str | Path) -> Run:
        """Open a run directory, with a clear RunDirError when it is not one."""
        config, shape = read_run(run_dir)
        return cls(Path(run_dir), config, shape)

    def __repr__(self) -> str:
        return f"Run('{self.path}', model={self.config.model.name}, data={self.config.data.name})"

    def checkpoints(self) -> list[Path]:
        """The run's checkpoint files, oldest step first."""
        return list_checkpoints(checkpoints_dir(self.path))

    def model(self, averaged: bool = True, checkpoint: str | Path | None = None,
              device: str | torch.device = "cpu") -> GenerativeModel:
        """The trained model (newest readable checkpoint unless one is given), in eval mode.

        A run trained with train.ema loads its averaged generating networks; averaged=False loads the live weights.
        """
        device = select_device(device)  # a device this machine lacks: one clear error before any loading
        state = read_checkpoint(Path(checkpoint)) if checkpoint else load_latest_checkpoint(
            checkpoints_dir(self.path), warn=lambda msg: None)
        check_model_name(state, self.config, self.path)
        model = build_model(self.config, self.data_shape)
        model.load_extra_state(state["training"]["extra"])
        try:
            weights = state["model"]
            if averaged and (state.get("ema") or {}).get("shadow"):
                weights = {**weights, **state["ema"]["shadow"]}
            model.load_state_dict(weights)
        except RuntimeError as e:
            raise CheckpointError(f"checkpoint does not fit the model configured in '{self.path}' "
                                  f"({str(e).splitlines()[0]})") from e
        return model.to(device).eval()

    def data(self, split: str | None = None) -> Dataset:
        """One split of the run's dataset (None: the run's own; 'heldout': test where there is one), cached."""
        split = resolve_split(self.config, split)
        if split not in self._data:
            self._data[split] = load_split(self.config, split)
        return self._data[split]

    def eval_results(self, averaged: bool = True) -> dict:
        """The run's evaluation results ({} before the first `latentgan eval`); RunDirError if the file is damaged."""
        name = eval_file_name(averaged)
        results = read_eval_file(self.path, name)
        if results is None:
            return {}
        if not isinstance(results, dict):
            raise RunDirError(f"{name} of run '{self.path}' holds a {type(results).__name__}, not an object; "
                              f"delete it and run `latentgan eval {self.path}` again")
        return results

    def write_eval(self, results: dict, averaged: bool = True) -> Path:
        """Replace the run's evaluation results file atomically (non-finite numbers are written as strings)."""
        path = self.path / eval_file_name(averaged)
        write_text_atomic(path, json.dumps(_json_safe(results), indent=2) + "\n")
        return path


def _json_safe(value):
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    return value
