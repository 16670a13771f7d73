import json

import pytest

from latentgan.experiments import ExperimentSettings, get_experiment
from latentgan.experiments.ive_common import IMAGE_BUDGETS, PAPER_MNIST_STEPS
from latentgan.experiments.ive_mnist import noise_grid
from latentgan.experiments.ive_ring import BUDGETS, RingBudget, ring_references, train_ring_run


@pytest.fixture(autouse=True)
def _one_epoch_invariant_classifier(monkeypatch):
    # The cards' invariant classifier trains 15 epochs; its quality is not what these tests check.
    from latentgan.metrics import classifier

    monkeypatch.setitem(classifier.AUGMENTED_EPOCHS, "mnist5k", 1)


def _smoke(tmp_path, seeds=None):
    return ExperimentSettings(tmp_path, budget="smoke", device="cpu", log=lambda msg: None, seeds=seeds)


def test_ive_ring8_smoke_tier_writes_a_card_whose_modes_match_eval_json(tmp_path):
    text = get_experiment("ive-ring8").run(_smoke(tmp_path)).read_text()
    assert "| IVE-GAN | 1 |" in text and "| GAN | 1 |" in text and "smoke test only" in text
    assert "Decision rules" in text and "Departures from the paper" in text
    assert (tmp_path / "density_ive-gan.png").exists() and (tmp_path / "density_gan.png").exists()
    card = json.loads((tmp_path / "card.json").read_text())
    evaluated = json.loads((tmp_path / "ive-gan" / "seed0" / "eval.json").read_text())["metrics"]
    hq = next(v for k, v in evaluated.items() if k.startswith("high_quality_fraction@"))
    assert card["decisions"][1]["values"] == [pytest.approx(hq)]  # the card's HQ share is the modes metric's


def test_ring_references_put_the_transformed_points_ceiling_near_95_percent(tmp_path):
    # The full 10,000-point ring (the smoke tier trains on 1,000), so the shares average over many points.
    run = train_ring_run("IVE-GAN", 0, RingBudget(10, 1, ("model.hidden=[8]", "train.batch_size=64"), 1),
                         _smoke(tmp_path))
    refs = ring_references(run, seeds=2)
    real, shifted = (float(sum(r["hq"] for r in refs[k])) / 2 for k in ("real data", "T(x), real for D"))
    # Eq. 4 adds N(0, Sigma / 2): within 3 std of a mode lie 1 - exp(-4.5) = 98.9 % of real points and
    # 1 - exp(-3) = 95.0 % of transformed ones.
    assert real == pytest.approx(0.989, abs=0.006) and shifted == pytest.approx(0.950, abs=0.01)
    assert all(r["modes_hq"] == 8 for rs in refs.values() for r in rs)


def test_ive_vs_ali_smoke_tier_scores_both_methods_on_the_same_test_images(tmp_path):
    text = get_experiment("ive-vs-ali").run(_smoke(tmp_path)).read_text()
    assert "| 0 | IVE-GAN | 16 |" in text and "| 0 | ALI | 16 |" in text and "smoke test only" in text
    assert "class agreement, invariant classifier" in text and "ALI / IVE-GAN reconstruction MSE" in text
    assert (tmp_path / "originals_ive_ali.png").exists()


@pytest.mark.slow  # five tiny runs, two t-SNEs and k-NN: about 25 s alone on two cores
def test_ive_mnist_smoke_tier_reports_knn_in_code_spaces_beside_pca_and_pixels(tmp_path):
    text = get_experiment("ive-mnist").run(_smoke(tmp_path)).read_text()
    for space in ("IVE-GAN, 3-d", "IVE-GAN, 16-d", "ALI, 3-d", "PCA, 3-d", "raw pixels",
                  "T(x): a perfect reconstruction"):
        assert f"| 0 | {space} |" in text
    assert "3-d code k-NN minus 3-d PCA k-NN" in text
    for name in ("reconstructions_16d_3d", "codes_3d", "same_z_rows_same_z0_columns", "interpolations",
                 "tsne_codes", "tsne_pixels"):
        assert (tmp_path / f"mnist5k_{name}.png").exists()


def test_paper_tiers_count_the_papers_optimizer_steps():
    paper = IMAGE_BUDGETS["paper"]
    assert (paper.dataset, paper.steps, paper.batch_size, paper.width_scale) == ("mnist", PAPER_MNIST_STEPS, 512, 1.0)
    assert paper.images_seen == pytest.approx(100 * 60_000, rel=0.01)  # 100 epochs of 60,000 digits
    assert BUDGETS["paper"].steps == 50_000 and all(b.seeds >= 3 for t, b in BUDGETS.items() if t != "smoke")


def test_noise_grid_keeps_z_along_rows_and_z0_down_columns():
    import torch

    from latentgan.models.base import DataShape
    from latentgan.models.ive_gan import IVEGAN, IVEGANConfig

    model = IVEGAN(IVEGANConfig(arch="mlp", latent_dim=2, noise_dim=2, transform={"point_std": 0.1}), DataShape((2,)))
    seen = {}
    model._decode = lambda z, z0: seen.update(z=z, z0=z0) or torch.cat([z, z0], 1)
    noise_grid(model, rows=3, cols=4)
    z, z0 = seen["z"].view(3, 4, 2), seen["z0"].view(3, 4, 2)
    assert torch.equal(z, z[:, :1].expand_as(z)) and torch.equal(z0, z0[:1].expand_as(z0))
    assert not torch.equal(z[0, 0], z[1, 0]) and not torch.equal(z0[0, 0], z0[0, 1])


def test_ive_experiments_are_registered():
    assert {get_experiment(n).name for n in ("ive-ring8", "ive-mnist", "ive-vs-ali")} == {
        "ive-ring8", "ive-mnist", "ive-vs-ali"}
