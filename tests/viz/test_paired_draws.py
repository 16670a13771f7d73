import pytest
from PIL import Image

from latentgan.viz.paired_draws import save_paired_draws


def test_paired_draws_writes_a_png(tmp_path):
    path = save_paired_draws([1e-5, 1e-4, 1e-3], {"ALI": [4, 11, 25], "GAN": [7, 25, 25]}, tmp_path / "p.png",
                             xlabel="lr", ylabel="modes", title="t", log_x=True)
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size[0] > 100


def test_paired_draws_refuses_scores_that_do_not_pair_with_x(tmp_path):
    with pytest.raises(ValueError, match="one score per x"):
        save_paired_draws([1.0, 2.0], {"ALI": [1.0]}, tmp_path / "p.png", xlabel="x", ylabel="y", title="t")
    assert not (tmp_path / "p.png").exists()
