"""Loggers beside metrics.jsonl: CSV, TensorBoard and user callbacks hear every number and sample grid."""

import csv

import pytest

import latentgan
from latentgan.config import load_config
from latentgan.errors import ConfigError


def _config(*extra):
    return load_config(None, ["model.name=gan", "data.name=ring", "train.steps=20", "train.log_every=5",
                              "train.sample_every=10", "train.checkpoint_every=10", "train.progress=false", *extra])


class Recorder:
    """A callback as a user writes one (a W&B logger has the same shape): only the methods it needs."""

    def __init__(self):
        self.metrics, self.images, self.ended = [], [], []

    def on_metrics(self, step, metrics, kind):
        self.metrics.append((step, kind, dict(metrics)))

    def on_image(self, step, name, path):
        self.images.append((step, name, path.name))

    def on_end(self, run_dir):
        self.ended.append(run_dir)


def test_a_callback_hears_parameters_losses_evaluations_sample_grids_and_the_end(tmp_path):
    seen = Recorder()
    run = latentgan.train(_config("train.eval_every=10", "train.eval_metrics=[modes]", "train.eval_n=200"),
                          out=tmp_path / "run", log=lambda m: None, callbacks=[seen])
    kinds = [(step, kind) for step, kind, _ in seen.metrics]
    assert kinds == [(0, "params"), (5, "train"), (10, "train"), (10, "eval"), (15, "train"), (20, "train"),
                     (20, "eval")]
    assert "d_loss" in seen.metrics[1][2] and "step" not in seen.metrics[1][2]
    assert seen.images == [(10, "samples", "step_0000010.png"), (20, "samples", "step_0000020.png")]
    assert seen.ended == [run]


def test_csv_logger_writes_long_rows_and_a_resume_does_not_duplicate_them(tmp_path):
    run = latentgan.train(_config("train.loggers=[jsonl,csv]"), out=tmp_path / "run", log=lambda m: None)
    with open(run / "metrics.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["kind"] for r in rows} == {"params", "train"} and {"step", "kind", "name", "value"} == set(rows[0])
    first = [r for r in rows if r["kind"] == "train"]
    # Resume from step 10 as after a crash at 20: rows after the checkpoint are written again, not twice.
    (run / "checkpoints" / "step_0000020.pt").unlink()
    latentgan.resume(run, log=lambda m: None)
    with open(run / "metrics.csv", newline="") as f:
        again = [r for r in csv.DictReader(f) if r["kind"] == "train"]
    assert [(r["step"], r["name"]) for r in again] == [(r["step"], r["name"]) for r in first]


def test_tensorboard_logger_writes_scalars_and_sample_images(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    run = latentgan.train(_config("train.loggers=[tensorboard]"), out=tmp_path / "run", log=lambda m: None)
    events = EventAccumulator(str(run / "tensorboard"), size_guidance={"images": 0, "scalars": 0}).Reload()
    assert "train/d_loss" in events.Tags()["scalars"] and "samples" in events.Tags()["images"]
    assert [e.step for e in events.Scalars("train/d_loss")] == [5, 10, 15, 20]


def test_an_unknown_logger_is_refused_with_the_choices():
    with pytest.raises(ConfigError, match="train.loggers: unknown 'wandb'; choose from jsonl, csv, tensorboard"):
        _config("train.loggers=[wandb]")
