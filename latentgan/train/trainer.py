"""The training loop: batches in, model.training_step, then logs, sample grids and checkpoints.

The model owns its updates; the trainer only loops, keeps the data order, and writes the run
directory. Everything needed to continue bit for bit is in each checkpoint.
"""

from __future__ import annotations

import time
from pathlib import Path

import torch
from tqdm import tqdm

from latentgan.config import RunConfig
from latentgan.data import Dataset, IndexBatcher
from latentgan.errors import ConfigError
from latentgan.models.base import GenerativeModel
from latentgan.train.checkpoint import rng_state, save_checkpoint, set_rng_state
from latentgan.train.metrics_log import LossAccumulator, MetricsLog
from latentgan.train.run_dir import checkpoints_dir
from latentgan.train.samples import save_samples
from latentgan.train.summary import write_summary


def select_device(name: str) -> torch.device:
    """'auto' means CUDA when present, else CPU; anything else is used as given."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError("train.device is cuda but no CUDA GPU is visible; use --device cpu or auto")
    return device


class Trainer:
    """Runs `model.training_step` for config.train.steps steps, writing into run_dir."""

    def __init__(self, config: RunConfig, run_dir: Path, model: GenerativeModel, data: Dataset,
                 log=print):
        self.config, self.run_dir, self.model, self.data, self.log = config, Path(run_dir), model, data, log
        t = config.train
        self.batcher = IndexBatcher(len(data), t.batch_size, seed=t.seed)
        self.metrics = MetricsLog(self.run_dir / "metrics.jsonl")
        self.losses = LossAccumulator()
        self.step = 0
        self.wall_seconds = 0.0  # training time over all sessions of the run
        self._eval_data: dict = {}

    def restore(self, checkpoint: dict) -> None:
        """Load the complete training state of a checkpoint (weights, optimizers, RNG, data order)."""
        self.model.load_extra_state(checkpoint["training"]["extra"])
        self.model.load_state_dict(checkpoint["model"])
        self.model.load_training_state(checkpoint["training"])
        self.batcher.load_state_dict(checkpoint["data_order"])
        self.losses.load_state_dict(checkpoint["losses"])
        set_rng_state(checkpoint["rng"])
        self.step = int(checkpoint["step"])
        self.wall_seconds = float(checkpoint.get("wall_seconds", 0.0))
        self.metrics.truncate_after(self.step)

    def checkpoint(self) -> Path:
        """Write the complete state at the current step."""
        payload = {
            "model_name": self.config.model.name,
            "model": self.model.state_dict(),
            "training": self.model.training_state(),
            "data_order": self.batcher.state_dict(),
            "losses": self.losses.state_dict(),
            "rng": rng_state(),
            "wall_seconds": self.wall_seconds,
            "config": self.config.to_dict(),
        }
        return save_checkpoint(checkpoints_dir(self.run_dir), self.step, payload,
                               self.config.train.keep_checkpoints)

    def log_parameters(self) -> None:
        """Record every network's parameter count as the first metrics.jsonl line (step 0)."""
        counts = {f"params_{name}": sum(p.numel() for p in module.parameters())
                  for name, module in self.model.named_children()}
        self.metrics.append({"step": 0, **counts, "params_total": sum(p.numel() for p in self.model.parameters())})

    def evaluate(self) -> None:
        """Periodic evaluation: append the configured metrics at this step, leaving training RNG untouched."""
        from latentgan.metrics.context import EvalContext
        from latentgan.metrics.registry import evaluate

        t = self.config.train
        state = rng_state()
        self.model.eval()  # batch-norm statistics must not learn from evaluation batches
        try:
            ctx = EvalContext(self.model, self.config, n=t.eval_n, seed=t.seed, _data=self._eval_data)
            result = evaluate(ctx, t.eval_metrics)
        finally:
            set_rng_state(state)
            self.model.train()
        self.metrics.append({"step": self.step, **result["metrics"]})

    def fit(self) -> Path:
        """Train from the current step to config.train.steps; returns the run directory."""
        t = self.config.train
        self.model.train()
        start_time = time.time()
        self._window_start, self._window_steps = time.time(), 0
        bar = tqdm(total=t.steps, initial=self.step, disable=not t.progress, dynamic_ncols=True,
                   desc=f"{self.config.model.name}/{self.config.data.name}")
        while self.step < t.steps:
            self.model.on_step(self.step)
            batch = self.data.batch(self.batcher.next())
            self.losses.add(self.model.training_step(batch, self.step))
            self.step += 1
            self._window_steps += 1
            bar.update(1)
            self._periodic(bar)
        bar.close()
        write_summary(self.run_dir, self.config, self.model, self.data, time.time() - start_time)
        return self.run_dir

    def _due(self, every: int) -> bool:
        return every > 0 and (self.step % every == 0 or self.step == self.config.train.steps)

    def _periodic(self, bar: tqdm) -> None:
        """After a step: log, draw samples, evaluate and checkpoint when each is due."""
        t = self.config.train
        if self._due(t.log_every):
            elapsed = max(time.time() - self._window_start, 1e-9)
            self.wall_seconds += elapsed
            record = {"step": self.step, **self.losses.pop_means(),
                      "images_per_sec": round(self._window_steps * t.batch_size / elapsed, 1),
                      "wall_sec": round(self.wall_seconds, 2)}
            self.metrics.append(record)
            bar.set_postfix({k: f"{v:.3g}" for k, v in record.items() if k not in ("step", "wall_sec")})
            self._window_start, self._window_steps = time.time(), 0
        if self._due(t.sample_every):
            save_samples(self.model, self.data, self.run_dir, self.step, t.grid_size, t.seed)
        if self._due(t.eval_every):
            self.evaluate()
        if self._due(t.checkpoint_every):
            self.checkpoint()
        if self._due(t.sample_every) or self._due(t.eval_every) or self._due(t.checkpoint_every):
            self._window_start = time.time()  # pictures, evaluation and checkpoints are not training time
