import dataclasses

import pytest
import torch

from latentgan.experiments import ExperimentSettings, get_experiment
from latentgan.experiments import lens as lens_experiments
from latentgan.metrics import builtin  # noqa: F401  (registers cfid first, so the stand-in is undone after the test)
from latentgan.metrics.registry import METRICS, MetricSpec, always

TINY_MODEL = ["model.loss=ns", "model.width=8", "model.latent_dim=8", "train.batch_size=8"]


@pytest.fixture
def tiny_lens_mnist(monkeypatch):
    # An extra-tiny budget, and a stand-in for cfid so no classifier is trained: the wiring is under test.
    study = lens_experiments.STUDIES["lens-mnist"]
    tiny = dataclasses.replace(study, model=TINY_MODEL, quick=lens_experiments.Budget(6, 3, 3, 16, seeds=2),
                               arms={"without lens": None, "with lens": {"width": 2, "blocks": 1}})
    monkeypatch.setitem(lens_experiments.STUDIES, "lens-mnist", tiny)

    def fake_fid(ctx):
        return {"fid_fake@16": float(ctx.samples(16).std())}

    monkeypatch.setitem(METRICS, "cfid", MetricSpec("cfid", "stand-in", fake_fid, always, 16))
    torch.set_num_threads(1)


def test_lens_experiments_are_registered():
    for name in ("lens-mnist", "lens-stacked", "lens-lsgan", "lens-wgangp", "lens-fixed-lambda"):
        assert get_experiment(name).paper.startswith("Sajjadi")


def test_tiny_lens_mnist_writes_a_card_with_curves_and_grids(tmp_path, tiny_lens_mnist):
    card = get_experiment("lens-mnist").run(ExperimentSettings(tmp_path, quick=True, device="cpu",
                                                               log=lambda m: None))
    text = card.read_text()
    assert "**Verdict (undecided):**" in text and "final cFID with lens / without" in text
    assert "| mnist5k | with lens | 2 |" in text and "paper: MNIST" in text
    assert "classifier-feature FIDs" in text and "quick mode" in text
    assert (tmp_path / "fid-mnist5k.png").exists() and (tmp_path / "grid-mnist5k-with-lens.png").exists()
    assert (tmp_path / "mnist5k" / "with-lens" / "seed1" / "metrics.jsonl").exists()
