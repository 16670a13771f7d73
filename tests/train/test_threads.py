import pytest
import torch

import latentgan
import latentgan.api
import latentgan.cli
from latentgan.cli import main
from latentgan.config import load_config
from latentgan.errors import ConfigError
from latentgan.train.trainer import Trainer


def _ring(out, threads):
    return load_config(None, ["model.name=gan", "data.name=ring", "train.steps=2", "train.batch_size=8",
                              "train.progress=false", f"train.out={out}", f"train.threads={threads}"])


def test_training_runs_with_the_configured_threads_and_restores_the_callers(tmp_path, monkeypatch):
    seen = []
    real_step = Trainer.train_step

    def spy(self):
        seen.append(torch.get_num_threads())
        real_step(self)

    monkeypatch.setattr(Trainer, "train_step", spy)
    before = torch.get_num_threads()
    latentgan.train(_ring(tmp_path / "run", 2), log=lambda *a: None)
    assert seen == [2, 2]
    assert torch.get_num_threads() == before


def test_threads_default_to_one():
    assert load_config(None, ["model.name=gan", "data.name=ring"]).train.threads == 1


def test_negative_threads_are_refused_in_one_line(tmp_path):
    with pytest.raises(ConfigError, match="train.threads"):
        _ring(tmp_path / "run", -1).validate()


def test_threads_flag_reaches_the_config(tmp_path, monkeypatch):
    captured = {}
    monkeypatch.setattr(latentgan.api, "train", lambda config, out=None: captured.setdefault("c", config) and out)
    monkeypatch.setattr(latentgan.cli, "_finished", lambda run_dir: None)
    main(["train", "--model", "gan", "--data", "ring", "--threads", "3", "--out", str(tmp_path / "r")])
    assert captured["c"].train.threads == 3
