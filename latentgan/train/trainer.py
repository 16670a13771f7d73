"""The training loop: batches in, model.training_step, then logs, sample grids and checkpoints.

The model owns its updates; the trainer only loops, keeps the data order, and writes the run
directory. Everything needed to continue bit for bit is in each checkpoint.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path

import torch
from tqdm import tqdm

from latentgan.checkpoint import checkpoint_path, rng_state, save_checkpoint, set_rng_state
from latentgan.config import RunConfig
from latentgan.data import Dataset, IndexBatcher
from latentgan.errors import CheckpointError
from latentgan.models.base import GenerativeModel
from latentgan.train.distributed import (
    SINGLE,
    DistContext,
    GradientAverager,
    agreed_signal,
    check_replicas_agree,
    mean_over_processes,
)
from latentgan.train.divergence import DivergenceError, DivergenceGuard, roll_back
from latentgan.train.fast_path import resolve_fast_path
from latentgan.train.loggers import Fanout, build_loggers
from latentgan.train.lr_decay import apply_lr_decay
from latentgan.train.metrics_log import LossAccumulator, MetricsLog
from latentgan.train.run_dir import checkpoints_dir
from latentgan.train.samples import save_samples
from latentgan.train.signals import StopSignals, TrainingInterrupted
from latentgan.train.summary import write_summary
from latentgan.train.weight_average import WeightAverage


class Trainer:
    """Runs `model.training_step` for config.train.steps steps, writing into run_dir."""

    def __init__(self, config: RunConfig, run_dir: Path, model: GenerativeModel, data: Dataset,
                 log=print, dist: DistContext = SINGLE, callbacks: Sequence = ()):
        self.config, self.run_dir, self.model, self.data, self.log = config, Path(run_dir), model, data, log
        t = config.train
        # Under torchrun each process reads its own shard of every epoch and only rank 0 writes files.
        self.dist = dist
        self.averager = GradientAverager(dist)
        self.batcher = IndexBatcher(len(data), t.batch_size, seed=t.seed, rank=dist.rank, world_size=dist.world_size,
                                    device=data.x.device)
        self.metrics = MetricsLog(self.run_dir / "metrics.jsonl")
        # Loggers and callbacks hear what rank 0 writes; the other processes write nothing.
        self.out = Fanout(build_loggers(t.loggers, self.run_dir) + list(callbacks) if dist.is_main else [])
        self.losses = LossAccumulator()
        self.step = 0
        self.wall_seconds = 0.0  # training time over all sessions of the run
        self._eval_data: dict = {}
        self.guard = DivergenceGuard(model, self.run_dir)
        self.fast = resolve_fast_path(t, model, model.device, notice=log)
        self._prepared: frozenset[int] = frozenset()
        self.average = WeightAverage(model, t.ema, t.ema_start) if t.ema else None

    def restore(self, checkpoint: dict) -> None:
        """Load the complete training state of a checkpoint (weights, optimizers, RNG, data order)."""
        try:
            self.model.load_extra_state(checkpoint["training"]["extra"])
            self.model.load_state_dict(checkpoint["model"])
            self.model.load_training_state(checkpoint["training"])
        except (KeyError, RuntimeError, ValueError, TypeError) as e:
            raise CheckpointError(f"the checkpoint of step {checkpoint.get('step')} does not fit the model "
                                  f"configured in '{self.run_dir}' ({str(e).splitlines()[0]}); was its config.yaml "
                                  "edited?") from e
        self.batcher.load_state_dict(checkpoint["data_order"])
        self.losses.load_state_dict(checkpoint["losses"])
        set_rng_state(checkpoint["rng"])
        self.step = int(checkpoint["step"])
        self.wall_seconds = float(checkpoint.get("wall_seconds", 0.0))
        self.guard.load_state_dict(checkpoint.get("divergence", {}))
        if self.average is not None:
            self.average.load_state_dict(checkpoint.get("ema"))
        if self.dist.is_main:
            self.metrics.truncate_after(self.step)
            self.out.resume(self.step)

    def checkpoint(self) -> Path:
        """Write the complete state at the current step (never a diverged one: DivergenceError)."""
        self.guard.check(self.step)
        payload = {
            "model_name": self.config.model.name,
            "model": self.model.state_dict(),
            "training": self.model.training_state(),
            "data_order": self.batcher.state_dict(),
            "losses": self.losses.state_dict(),
            "rng": rng_state(),
            "wall_seconds": self.wall_seconds,
            "config": self.config.to_dict(),
            "divergence": self.guard.state_dict(),
            "ema": self.average.state_dict() if self.average is not None else None,
        }
        return save_checkpoint(checkpoints_dir(self.run_dir), self.step, payload,
                               self.config.train.keep_checkpoints)

    def log_parameters(self) -> None:
        """Record every network's parameter count as the first metrics.jsonl line (step 0)."""
        counts = {f"params_{name}": sum(p.numel() for p in module.parameters())
                  for name, module in self.model.named_children()}
        record = {**counts, "params_total": sum(p.numel() for p in self.model.parameters())}
        self.metrics.append({"step": 0, **record})
        self.out.metrics(0, record, "params")

    def evaluate(self) -> None:
        """Periodic evaluation: append the configured metrics at this step, leaving training RNG untouched.

        Under torchrun every process calls this (the samples are drawn across them); rank 0 writes the line.
        """
        from latentgan.metrics.context import EvalContext
        from latentgan.metrics.registry import evaluate

        t = self.config.train
        state = rng_state()
        self.model.eval()  # batch-norm statistics must not learn from evaluation batches
        try:
            with self.averaged():
                ctx = EvalContext(self.model, self.config, n=t.eval_n, seed=t.seed, _data=self._eval_data,
                                  dist=self.dist)
                result = evaluate(ctx, t.eval_metrics)
        finally:
            set_rng_state(state)
            self.model.train()
        if self.dist.is_main:
            self.metrics.append({"step": self.step, **result["metrics"]})
            self.out.metrics(self.step, result["metrics"], "eval")
            if self.config.train.progress:  # on its own line above the bar, as it happens
                tqdm.write(f"step {self.step} eval: {_fmt(result['metrics'])}", file=sys.stderr)

    def fit(self) -> Path:
        """Train from the current step to config.train.steps with train.threads CPU threads; returns the run dir."""
        threads = torch.get_num_threads()
        if self.config.train.threads:
            torch.set_num_threads(self.config.train.threads)
        try:
            return self._fit()
        finally:
            torch.set_num_threads(threads)  # the caller's setting back, e.g. in a notebook that trains twice
            self.out.end(self.run_dir)

    def _fit(self) -> Path:
        """The training loop proper (see fit)."""
        t = self.config.train
        self.model.train()
        start_time = time.time()
        self._window_start, self._window_steps = time.time(), 0
        # Not a terminal (a log file, CI): no bar, whose \r frames would fill the file, but a plain line now and then.
        self._plain = t.progress and self.dist.is_main and not sys.stderr.isatty()
        self._plain_every = max(t.log_every, t.steps // 20)
        bar = tqdm(total=t.steps, initial=self.step, disable=not (t.progress and self.dist.is_main) or self._plain,
                   ncols=80, desc=f"{self.config.model.name}/{self.config.data.name}")
        with StopSignals() as stop:  # SIGINT/SIGTERM: finish the step, checkpoint, raise TrainingInterrupted
            while self.step < t.steps:
                self.train_step()
                self._window_steps += 1
                bar.update(1)
                try:
                    self._periodic(bar)
                except DivergenceError as error:
                    roll_back(self, error)  # re-raises unless train.on_divergence=rollback
                    bar.reset(total=t.steps)
                    bar.update(self.step)
                signal = stop.received
                if self.dist.enabled:
                    # All processes must stop after the same step, or the others wait forever in the next
                    # all-reduce: they agree at log steps.
                    signal = agreed_signal(signal, self.dist, self.model.device) if self._due(t.log_every) else None
                if signal is not None:
                    self._stop(signal)
            bar.close()
            check_replicas_agree(self.model, self.dist)
            if self.dist.is_main:
                with self.averaged():
                    write_summary(self.run_dir, self.config, self.model, self.data, time.time() - start_time)
        return self.run_dir

    def train_step(self) -> None:
        """One step: the next batch, the model's updates under the fast path, the losses kept on the device."""
        self.model.on_step(self.step)
        t = self.config.train
        if t.lr_decay != "none":
            apply_lr_decay(self.model, t.lr_decay, self.step, t.lr_decay_start, t.steps, self.guard.lr_scale)
        self._prepare_networks()
        batch = self.fast.batch(self.data.batch(self.batcher.next()))
        self.averager.attach(self.model)  # models that grow make new optimizers
        with self.fast.autocast():
            losses = self.model.training_step(batch, self.step)
        self.losses.add(losses)
        self.step += 1
        if self.average is not None:
            self.average.update(self.step)
        self.guard.observe(losses, self.step)

    def averaged(self):
        """Inside: the generating networks hold their weight average (train.ema); a no-op without one."""
        return self.average.applied() if self.average is not None else nullcontext()

    def _prepare_networks(self) -> None:
        """Apply the fast path (channels_last, compile) to new networks: all at first, new ones after growth."""
        modules = frozenset(id(m) for m in self.model.modules())
        if modules != self._prepared:
            self.fast.prepare(self.model)
            self._prepared = modules

    def _stop(self, signum: int) -> None:
        """After a stop signal: make sure this step is checkpointed, then raise TrainingInterrupted."""
        if self.dist.is_main and not checkpoint_path(checkpoints_dir(self.run_dir), self.step).exists():
            self.checkpoint()
        raise TrainingInterrupted(signum, self.step, self.run_dir)

    def _due(self, every: int) -> bool:
        return every > 0 and (self.step % every == 0 or self.step == self.config.train.steps)

    def _periodic(self, bar: tqdm) -> None:
        """After a step: log, draw samples, evaluate and checkpoint when each is due."""
        t = self.config.train
        if self._due(t.log_every):
            self.guard.check(self.step)
            elapsed = max(time.time() - self._window_start, 1e-9)
            self.wall_seconds += elapsed
            means = mean_over_processes(self.losses.pop_means(), self.dist, self.model.device)
            record = {"step": self.step, **means,
                      "images_per_sec": round(self._window_steps * t.batch_size / elapsed, 1),
                      "wall_sec": round(self.wall_seconds, 2)}
            if self.dist.is_main:
                self.metrics.append(record)
                self.out.metrics(self.step, {k: v for k, v in record.items() if k != "step"}, "train")
            shown = {k: v for k, v in record.items() if k not in ("step", "wall_sec")}
            bar.set_postfix({k: f"{v:.3g}" for k, v in shown.items()})
            if self._plain and (self.step % self._plain_every < t.log_every or self.step == t.steps):
                print(f"step {self.step}/{t.steps} {_fmt(shown)}", file=sys.stderr, flush=True)
            self._window_start, self._window_steps = time.time(), 0
        if self._due(t.eval_every):
            self.evaluate()  # every process: each draws its share of the samples; rank 0 writes the metrics
        if not self.dist.is_main:
            return  # pictures and checkpoints are rank 0's; the weights are the same everywhere
        if self._due(t.sample_every):
            with self.averaged():
                grid = save_samples(self.model, self.data, self.run_dir, self.step, t.grid_size, t.seed)
            self.out.image(self.step, "samples", grid)
        if self._due(t.checkpoint_every):
            self.checkpoint()
        if self._due(t.sample_every) or self._due(t.eval_every) or self._due(t.checkpoint_every):
            self._window_start = time.time()  # pictures, evaluation and checkpoints are not training time


def _fmt(values: dict) -> str:
    """name=value pairs with three significant digits, for a log line."""
    return " ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items())
