"""Where a run's numbers and pictures go besides metrics.jsonl: a CSV, TensorBoard, or your own callback.

A callback is any object with some of these methods (missing ones are skipped), e.g. to log to Weights & Biases
without the library depending on it (docs/loggers.md):

    on_metrics(step, metrics, kind)  # kind: "train" (loss means at a log step), "eval" or "params"
    on_image(step, name, path)       # a PNG the run just wrote (sample grids)
    on_resume(step)                  # a resumed run continues from this checkpointed step
    on_end(run_dir)                  # training finished or stopped
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from pathlib import Path

from latentgan.errors import ConfigError
from latentgan.files import write_text_atomic

LOGGERS = ("jsonl", "csv", "tensorboard")  # jsonl (metrics.jsonl) is always written: resume and reports read it
TENSORBOARD_MISSING = ("train.loggers includes tensorboard but the tensorboard package is not installed; "
                       "pip install 'latentgan[tensorboard]' (or tensorboard), or drop it from train.loggers")


class CsvLogger:
    """metrics.csv in long form (step, kind, name, value): new metrics never change the header."""

    def __init__(self, run_dir: Path):
        self.path = Path(run_dir) / "metrics.csv"

    def on_metrics(self, step: int, metrics: dict, kind: str) -> None:
        """Append one row per number."""
        new = not self.path.exists()
        with open(self.path, "a", newline="") as f:
            writer = csv.writer(f)
            if new:
                writer.writerow(["step", "kind", "name", "value"])
            writer.writerows([step, kind, name, _csv_number(value)] for name, value in metrics.items()
                             if isinstance(value, int | float) and not isinstance(value, bool))

    def on_resume(self, step: int) -> None:
        """Drop rows after the checkpoint: the resumed run writes them again, as metrics.jsonl does."""
        if not self.path.exists():
            return
        with open(self.path, newline="") as f:
            rows = list(csv.reader(f))
        text = io.StringIO()
        csv.writer(text).writerows([rows[0]] + [r for r in rows[1:] if int(r[0]) <= step])
        write_text_atomic(self.path, text.getvalue())


def _csv_number(value: float) -> str:
    return "" if isinstance(value, float) and math.isnan(value) else repr(value)


class TensorBoardLogger:
    """Scalars (train/NAME, eval/NAME) and sample grids in RUN_DIR/tensorboard, for `tensorboard --logdir`."""

    def __init__(self, run_dir: Path):
        self.log_dir, self.purge_step, self._writer = Path(run_dir) / "tensorboard", None, None

    @property
    def writer(self):
        """The event-file writer, opened on first use (after a resume, purging the steps written again)."""
        if self._writer is None:
            try:
                from torch.utils.tensorboard import SummaryWriter
            except ImportError as e:  # torch imports tensorboard lazily; without the package it fails here
                raise ConfigError(TENSORBOARD_MISSING) from e
            self._writer = SummaryWriter(log_dir=str(self.log_dir), purge_step=self.purge_step)
        return self._writer

    def on_resume(self, step: int) -> None:
        """Events after this step are dropped when the writer opens; the resumed run writes them again."""
        self.purge_step = step + 1

    def on_metrics(self, step: int, metrics: dict, kind: str) -> None:
        """One scalar per finite number, under its kind."""
        for name, value in metrics.items():
            if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
                self.writer.add_scalar(f"{kind}/{name}", value, step)
        self.writer.flush()

    def on_image(self, step: int, name: str, path: Path) -> None:
        """The PNG as an image summary."""
        import numpy as np
        from PIL import Image

        with Image.open(path) as image:
            pixels = np.asarray(image.convert("RGB"))
        self.writer.add_image(name, pixels, step, dataformats="HWC")
        self.writer.flush()

    def on_end(self, run_dir: Path) -> None:
        """Close the event file."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def check_loggers(names: Iterable[str]) -> None:
    """A ConfigError naming the valid loggers for an unknown one, or the package a chosen one lacks."""
    import importlib.util

    names = list(names)
    unknown = [n for n in names if n not in LOGGERS]
    if unknown:
        raise ConfigError(f"train.loggers: unknown {', '.join(map(repr, unknown))}; choose from {', '.join(LOGGERS)} "
                          "(jsonl is always written), or pass your own callbacks to latentgan.train(callbacks=[...])")
    if "tensorboard" in names and importlib.util.find_spec("tensorboard") is None:
        raise ConfigError(TENSORBOARD_MISSING)


def build_loggers(names: Iterable[str], run_dir: Path) -> list:
    """The configured loggers for a run directory (metrics.jsonl is the trainer's own and always written)."""
    check_loggers(names)
    makers = {"csv": CsvLogger, "tensorboard": TensorBoardLogger}
    return [makers[name](run_dir) for name in dict.fromkeys(names) if name in makers]


class Fanout:
    """Calls each logger's or callback's method when it has one; one object for the trainer to talk to."""

    def __init__(self, loggers: list):
        self.loggers = loggers

    def metrics(self, step: int, metrics: dict, kind: str) -> None:
        """Numbers of one step to every logger."""
        self._call("on_metrics", step, metrics, kind)

    def image(self, step: int, name: str, path: Path) -> None:
        """A picture the run wrote to every logger."""
        self._call("on_image", step, name, path)

    def resume(self, step: int) -> None:
        """The run continues from a checkpoint at `step`."""
        self._call("on_resume", step)

    def end(self, run_dir: Path) -> None:
        """The run stopped (finished, interrupted or failed)."""
        self._call("on_end", run_dir)

    def _call(self, method: str, *args) -> None:
        for logger in self.loggers:
            fn = getattr(logger, method, None)
            if fn is not None:
                fn(*args)
