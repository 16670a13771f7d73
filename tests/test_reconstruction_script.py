import sys

import pytest

import latentgan
from latentgan.config import load_config
from tests.conftest import load_script


def test_scores_every_checkpoint_and_the_ive_pairs(tmp_path, monkeypatch, capsys):
    config = load_config(None, ["model.name=ive_gan", "model.arch=mnist32", "model.width_scale=0.125",
                                "model.latent_dim=4", "data.name=mnist5k", "data.split=train", "data.pad_to=32",
                                "train.steps=2", "train.batch_size=8", "train.checkpoint_every=1",
                                "train.progress=false", "train.device=cpu"])
    run = latentgan.train(config, out=tmp_path / "run", log=lambda msg: None)
    from latentgan.metrics import classifier

    monkeypatch.setitem(classifier.AUGMENTED_EPOCHS, "mnist5k", 1)  # what the script prints, not how well
    monkeypatch.setattr(sys, "argv", ["script", str(run), "--n", "50", "--pairs", "16", "--invariant",
                                      "--knn", "40"])
    load_script("reconstruction_over_checkpoints").main()
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines[:2]] == ["step       1", "step       2"]
    assert all("class agreement" in line and "invariant classifier" in line and "code k-NN" in line
               for line in lines[:2])
    assert lines[2].startswith("D(T(x), x)")


def test_refuses_data_without_a_classifier(tmp_path, monkeypatch):
    config = load_config(None, ["model.name=gan", "data.name=ring", "train.steps=1", "train.progress=false",
                                "train.device=cpu", "model.latent_dim=2"])
    run = latentgan.train(config, out=tmp_path / "run", log=lambda msg: None)
    monkeypatch.setattr(sys, "argv", ["script", str(run)])
    with pytest.raises(SystemExit, match="no classifier for 'ring'"):
        load_script("reconstruction_over_checkpoints").main()


def test_invariant_agreement_needs_an_ive_gan_run(tmp_path, monkeypatch):
    config = load_config(None, ["model.name=ali", "data.name=mnist5k", "train.steps=1", "train.progress=false",
                                "train.device=cpu", "model.width_scale=0.125", "train.batch_size=8"])
    run = latentgan.train(config, out=tmp_path / "run", log=lambda msg: None)
    monkeypatch.setattr(sys, "argv", ["script", str(run), "--n", "20", "--invariant"])
    with pytest.raises(SystemExit, match="needs an IVE-GAN run"):
        load_script("reconstruction_over_checkpoints").main()
