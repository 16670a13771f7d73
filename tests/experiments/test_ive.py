import pytest

from latentgan.experiments import ExperimentSettings, get_experiment
from latentgan.experiments.ive import (
    MnistBudget,
    RingBudget,
    noise_grid,
    ring_references,
    run_ive_mnist,
    run_ive_ring8,
    run_ive_vs_ali,
)

TINY_IMAGES = MnistBudget({"mnist5k": 12}, 16, 0.0625, 60, ali_width=0.0625)


@pytest.fixture(autouse=True)
def _one_epoch_invariant_classifier(monkeypatch):
    # The cards' invariant classifier trains 15 epochs; its quality is not what these tests check.
    from latentgan.metrics import classifier

    monkeypatch.setitem(classifier.AUGMENTED_EPOCHS, "mnist5k", 1)


def _settings(tmp_path):
    return ExperimentSettings(tmp_path, quick=True, device="cpu", log=lambda msg: None)


def test_ive_ring8_with_a_tiny_budget_compares_both_methods_over_steps(tmp_path):
    budget = RingBudget(40, 1, ("model.hidden=[16]", "data.n_points=1000", "train.batch_size=64"), snapshots=2)
    text = run_ive_ring8(_settings(tmp_path), budget).read_text()
    assert "| IVE-GAN | 1 |" in text and "| GAN | 1 |" in text and "undecided" in text
    assert (tmp_path / "density_ive-gan.png").exists() and (tmp_path / "density_gan.png").exists()
    assert "| T(x), real for D | 1 |" in text and "would score" in text


def test_ring_references_put_the_transformed_points_ceiling_near_95_percent(tmp_path):
    budget = RingBudget(10, 1, ("model.hidden=[8]", "train.batch_size=64"), snapshots=1)
    run_ive_ring8(_settings(tmp_path), budget)
    refs = ring_references(tmp_path / "ive-gan" / "seed0", seeds=2)
    real, shifted = (float(sum(r["hq"] for r in refs[k])) / 2 for k in ("real data", "T(x), real for D"))
    # Eq. 4 adds N(0, Sigma / 2): within 3 std of a mode lie 1 - exp(-4.5) = 98.9 % of real points and
    # 1 - exp(-3) = 95.0 % of transformed ones.
    assert real == pytest.approx(0.989, abs=0.006) and shifted == pytest.approx(0.950, abs=0.01)
    assert all(r["modes_hq"] == 8 for rs in refs.values() for r in rs)


def test_ive_vs_ali_scores_both_methods_on_the_same_test_images(tmp_path):
    text = run_ive_vs_ali(_settings(tmp_path), TINY_IMAGES, latent_dim=4).read_text()
    assert "| IVE-GAN | 4 |" in text and "| ALI | 4 |" in text and "undecided" in text
    assert "class agreement, invariant classifier" in text and "invariant classifier) IVE-GAN" in text
    assert (tmp_path / "originals_ive_ali.png").exists()


@pytest.mark.slow  # five tiny runs, two t-SNEs and k-NN: about 25 s alone on two cores
def test_ive_mnist_reports_knn_in_code_spaces_beside_pca_and_pixels(tmp_path):
    text = run_ive_mnist(_settings(tmp_path), TINY_IMAGES).read_text()
    for space in ("IVE-GAN, 3-d", "IVE-GAN, 16-d", "ALI, 3-d", "PCA, 3-d", "raw pixels",
                  "T(x): a perfect reconstruction"):
        assert f"| mnist5k | {space} |" in text
    for name in ("reconstructions_16d_3d", "codes_3d", "same_z_rows_same_z0_columns", "interpolations",
                 "tsne_codes", "tsne_pixels"):
        assert (tmp_path / f"mnist5k_{name}.png").exists()


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
