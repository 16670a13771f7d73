import numpy as np
import pytest
import torch
from PIL import Image

from latentgan.viz.latent_scatter import embed_2d, save_latent_scatter, subsample


def _clusters(n, d, k=5, seed=0):
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, k, (n,), generator=g)
    return 4 * torch.randn(k, d, generator=g)[labels] + torch.randn(n, d, generator=g), labels


@pytest.mark.parametrize("d, width", [(1, 460), (2, 460), (3, 3 * 360 + 100)])
def test_low_dimensional_codes_are_drawn_directly(tmp_path, d, width):
    codes, labels = _clusters(200, d)
    with Image.open(save_latent_scatter(codes, labels, tmp_path / "z.png")) as image:
        assert image.format == "PNG" and image.size == (width, 380)


def test_codes_without_labels(tmp_path):
    with Image.open(save_latent_scatter(torch.randn(100, 2), None, tmp_path / "z.png")) as image:
        assert image.size == (360, 380)


def test_high_dimensional_codes_go_through_tsne_and_keep_clusters_apart():
    codes, labels = _clusters(150, 16)
    xy = embed_2d(codes.numpy().astype(np.float64), "tsne", seed=0)
    assert xy.shape == (150, 2)
    centres = np.stack([xy[labels.numpy() == c].mean(0) for c in range(5)])
    spread = max(np.linalg.norm(xy[labels.numpy() == c] - centres[c], axis=1).mean() for c in range(5))
    gaps = [np.linalg.norm(centres[a] - centres[b]) for a in range(5) for b in range(a)]
    assert min(gaps) > 2 * spread
    np.testing.assert_array_equal(xy, embed_2d(codes.numpy().astype(np.float64), "tsne", seed=0))


def test_tsne_scatter_file(tmp_path):
    codes, labels = _clusters(120, 8)
    with Image.open(save_latent_scatter(codes, labels, tmp_path / "t.png", title="ALI codes")) as image:
        assert image.size == (460, 380)


def test_many_classes_get_a_colour_bar_and_pca_handles_large_sets(tmp_path):
    codes, labels = _clusters(2500, 8, k=50)
    with Image.open(save_latent_scatter(codes, labels, tmp_path / "p.png", method="pca")) as image:
        assert image.size == (460, 380)


def test_subsample_is_fixed_and_keeps_labels_aligned():
    codes, labels = np.arange(5000.0)[:, None], np.arange(5000)
    a, la = subsample(codes, labels, 300, seed=0)
    b, _ = subsample(codes, labels, 300, seed=0)
    assert a.shape == (300, 1) and np.array_equal(a, b) and np.array_equal(a[:, 0], la)
    assert subsample(codes[:10], labels[:10], 300, seed=0)[0].shape == (10, 1)


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(ValueError, match="method"):
        save_latent_scatter(torch.randn(10, 2), None, tmp_path / "z.png", method="umap")
    with pytest.raises(ValueError, match="labels"):
        save_latent_scatter(torch.randn(10, 2), torch.zeros(9), tmp_path / "z.png")


def test_the_legend_names_classes_when_the_data_has_names(tmp_path, monkeypatch):
    import matplotlib.axes

    legends = []
    original = matplotlib.axes.Axes.legend
    monkeypatch.setattr(matplotlib.axes.Axes, "legend",
                        lambda self, *a, **k: legends.append([t for t in self.get_legend_handles_labels()[1]])
                        or original(self, *a, **k))
    codes = np.random.default_rng(0).normal(size=(30, 2))
    save_latent_scatter(codes, np.repeat([0, 1, 2], 10), tmp_path / "s.png", class_names=["T-shirt", "Trouser", "Bag"])
    assert legends[-1] == ["T-shirt", "Trouser", "Bag"]
    save_latent_scatter(codes, np.repeat([0, 1, 2], 10), tmp_path / "t.png")
    assert legends[-1] == ["0", "1", "2"]
