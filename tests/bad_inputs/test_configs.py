"""Wrong config files and overrides: unknown keys, wrong types, impossible values, unusable sizes."""

from __future__ import annotations

from pathlib import Path

import pytest

from .harness import Case, expect_clean_failure

TINY = ["--model", "gan", "--data", "ring", "--steps", "1", "--quiet", "--device", "cpu"]


def _train(tmp: Path, *args: str) -> list[str]:
    return ["train", *TINY, "--out", str(tmp / "run"), *args]


def _config_file(tmp: Path, text: str) -> list[str]:
    path = tmp / "config.yaml"
    path.write_text(text)
    return ["train", "--config", str(path), "--out", str(tmp / "run")]


CASES = [
    Case("unknown-key", lambda t: _train(t, "--set", "train.stepz=5"),
         "unknown key 'train.stepz'; valid keys are: steps, batch_size,"),
    Case("unknown-model-key", lambda t: _train(t, "--set", "model.lr=0.1"), "unknown key 'model.lr'"),
    Case("unknown-section", lambda t: _config_file(t, "trian:\n  steps: 5\n"),
         "unknown section(s) ['trian']; a config has model, data and train"),
    Case("wrong-type-int", lambda t: _train(t, "--set", "train.steps=abc"),
         "train.steps must be of type int, got 'abc'"),
    Case("wrong-type-bool-for-int", lambda t: _train(t, "--set", "train.batch_size=true"),
         "train.batch_size must be of type int, got True"),
    Case("wrong-type-list", lambda t: _train(t, "--set", "model.hidden=32"), "model.hidden must be a list, got 32"),
    Case("not-a-number", lambda t: _train(t, "--set", "model.lr_g=.nan"),
         "model.lr_g must be a finite number, got nan"),
    Case("negative-steps", lambda t: ["train", *TINY[:4], "--steps", "-5", "--out", str(t / "run")],
         "train.steps must be at least 1, got -5"),
    Case("zero-batch", lambda t: _train(t, "--batch-size", "0"), "train.batch_size must be at least 1, got 0"),
    Case("zero-latent", lambda t: _train(t, "--set", "model.latent_dim=0"),
         "model.latent_dim, model.d_steps and model.width must be at least 1"),
    Case("image-size-unfit-for-dcgan", lambda t: ["train", "--model", "gan", "--data", "digits", "--steps", "1",
                                                  "--quiet", "--device", "cpu", "--out", str(t / "run")],
         "DCGAN networks support resolution 28, 32, 64, 128; got 8: resize the data with data.resize"),
    Case("bad-value-range", lambda t: _train(t, "--set", "data.value_range=[1, -1]"),
         "data.value_range must be [low, high] with low < high, got [1.0, -1.0]"),
    Case("bad-divergence-policy", lambda t: _train(t, "--set", "train.on_divergence=maybe"),
         "train.on_divergence must be one of stop, rollback, got 'maybe'"),
    Case("bad-rollback-factor", lambda t: _train(t, "--set", "train.rollback_lr_factor=2"),
         "train.rollback_lr_factor must lie strictly between 0 and 1"),
    Case("override-without-equals", lambda t: _train(t, "--set", "train.steps"),
         "override 'train.steps' must look like section.key=value"),
    Case("override-unknown-section", lambda t: _train(t, "--set", "optim.lr=1"),
         "override key 'optim.lr' must start with model., data. or train."),
    Case("invalid-yaml", lambda t: _config_file(t, "model: [unclosed\n"), "is not valid YAML"),
    Case("yaml-not-a-mapping", lambda t: _config_file(t, "- a\n- b\n"),
         "must hold a mapping with model/data/train sections"),
    Case("section-not-a-mapping", lambda t: _config_file(t, "train: 5\n"),
         "section 'train' must be a mapping of keys to values"),
    Case("missing-config-file", lambda t: ["train", "--config", str(t / "nope.yaml")], "nope.yaml' not found"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_bad_config(tmp_path, capsys, case):
    expect_clean_failure(capsys, tmp_path, case.make(tmp_path), case.message)
    assert not (tmp_path / "run").exists()
