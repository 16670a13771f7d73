"""The adapter's uniform view of every model, and the latent directions and paths the explorer walks."""

import pytest
import torch

from latentgan.explore.adapter import ExplorerError, ModelAdapter
from latentgan.explore.explorer import RequestError, interpolate, latent_axes
from latentgan.models.ali import ALI, ALIConfig
from latentgan.models.base import DataShape
from latentgan.models.gan import GAN, GANConfig
from latentgan.models.glo import GLO, GLOConfig
from latentgan.models.pca import PCAConfig, PCAModel
from latentgan.models.vae import VAE, VAEConfig

DIGIT = DataShape((1, 28, 28), (-1.0, 1.0), num_classes=10)


def test_each_model_is_described_by_what_it_can_do():
    models = {"ali": ALI(ALIConfig(width_scale=0.0625, latent_dim=6), DIGIT),
              "gan": GAN(GANConfig(width=4, latent_dim=5), DIGIT),
              "vae": VAE(VAEConfig(width=4, latent_dim=3), DIGIT),
              "glo": GLO(GLOConfig(width=4, latent_dim=4), DIGIT),
              "pca": PCAModel(PCAConfig(latent_dim=2), DIGIT)}
    kinds = {name: ModelAdapter(m.eval()).encode_kind for name, m in models.items()}
    assert kinds == {"ali": "forward pass", "gan": None, "vae": "forward pass", "glo": "optimisation",
                     "pca": "forward pass"}
    described = ModelAdapter(models["gan"]).describe()
    assert described == {"model": "gan", "latent_dim": 5, "image_shape": [1, 28, 28], "value_range": [-1.0, 1.0],
                         "can_encode": False, "encode_kind": None, "conditional": None}
    with pytest.raises(ExplorerError, match="no encoder"):
        ModelAdapter(models["gan"]).encode(torch.zeros(1, 1, 28, 28))


def test_encode_and_decode_cross_the_boundary_as_cpu_float_tensors_without_gradients():
    adapter = ModelAdapter(VAE(VAEConfig(width=4, latent_dim=3), DIGIT).eval())
    codes = adapter.encode(torch.rand(2, 1, 28, 28) * 2 - 1)
    images = adapter.decode(codes)
    assert codes.shape == (2, 3) and images.shape == (2, 1, 28, 28) and not images.requires_grad
    assert images.min() >= -1 and images.max() <= 1


def test_random_codes_follow_each_models_own_distribution_and_seed():
    gan = ModelAdapter(GAN(GANConfig(width=4, latent_dim=5, prior="uniform"), DIGIT))
    codes = gan.random_codes(500, seed=1)
    assert codes.shape == (500, 5) and codes.min() >= -1 and codes.max() <= 1 and codes.std() > 0.4
    assert torch.equal(codes, gan.random_codes(500, seed=1)) and not torch.equal(codes, gan.random_codes(500, seed=2))
    pca = PCAModel(PCAConfig(latent_dim=2), DIGIT)
    pca.variances.copy_(torch.tensor([100.0, 0.01]))
    stds = ModelAdapter(pca).random_codes(2000, seed=0).std(0)
    assert 8 < stds[0] < 12 and stds[1] < 0.2  # PCA's scores have the components' variances
    glo = GLO(GLOConfig(width=4, latent_dim=3), DIGIT)
    glo.set_codes(torch.tensor([[1.0, 0.0, 0.0]]).repeat(50, 1) + 0.01 * torch.randn(50, 3))
    assert ModelAdapter(glo).random_codes(100, seed=0).mean(0)[0] > 0.9  # drawn near GLO's learned codes


def test_conditional_models_say_whether_they_take_classes_or_attributes():
    classes = ModelAdapter(ALI(ALIConfig(width_scale=0.0625, latent_dim=4, conditional=True), DIGIT),
                           class_names=list("abcdefghij"))
    assert classes.conditioning.kind == "classes" and classes.conditioning.names[:2] == ["a", "b"]
    y = classes.random_conditions(20, seed=0)
    assert y.shape == (20, 10) and torch.equal(y.sum(1), torch.ones(20))  # one-hot
    with pytest.raises(ExplorerError, match="conditional: give y"):
        classes.decode(torch.zeros(1, 4))
    assert classes.decode(torch.zeros(2, 4), y[:2]).shape == (2, 1, 28, 28)
    attributes = ModelAdapter(ALI(ALIConfig(width_scale=0.0625, latent_dim=4, conditional=True, y_dim=3), DIGIT))
    assert attributes.conditioning.kind == "attributes" and attributes.conditioning.y_dim == 3
    assert ModelAdapter(GAN(GANConfig(width=4), DIGIT)).random_conditions(3, seed=0) is None


def test_point_models_are_refused_with_a_pointer_to_the_scatter_plot():
    ring = GAN(GANConfig(latent_dim=2, hidden=[8]), DataShape((2,)))
    with pytest.raises(ExplorerError, match="shows images.*2-D points.*latentgan sample"):
        ModelAdapter(ring)


def test_principal_axes_recover_the_directions_of_largest_spread():
    g = torch.Generator().manual_seed(0)
    codes = torch.randn(4000, 10, generator=g) * torch.tensor([0.1] * 8 + [5.0, 2.0])
    axes = latent_axes(codes, "synthetic", top=3, block=4)
    first = axes.principal.vectors[0]
    assert first[8] > 0.99 and axes.principal.stds[0] == pytest.approx(5.0, rel=0.05)
    assert axes.principal.vectors[1][9].abs() > 0.99 and axes.explained[0] == pytest.approx(25 / 29.08, rel=0.05)
    assert axes.coordinates.stds[9] == pytest.approx(2.0, rel=0.05) and torch.equal(axes.coordinates.vectors,
                                                                                      torch.eye(10))
    # three blocks (1-4, 5-8, 9-10), each moving only its own coordinates, the last one mostly along dim 9
    assert axes.blocks.vectors.shape == (3, 10)
    assert (axes.blocks.vectors[0, 4:] == 0).all() and (axes.blocks.vectors[2, :8] == 0).all()
    assert axes.blocks.vectors[2, 8] > 0.99 and axes.blocks.stds[2] == pytest.approx(5.0, rel=0.05)
    with pytest.raises(RequestError, match="unknown walk kind"):
        axes.get("diagonal")


def test_interpolation_paths_start_at_a_and_end_at_b():
    a, b = torch.tensor([3.0, 0.0]), torch.tensor([0.0, 3.0])
    t = torch.tensor([0.0, 0.5, 1.0])
    linear, spherical = interpolate(a, b, t), interpolate(a, b, t, "spherical")
    torch.testing.assert_close(linear[[0, 2]], torch.stack([a, b]))
    torch.testing.assert_close(spherical[[0, 2]], torch.stack([a, b]))
    assert linear[1].norm() == pytest.approx(3 / 2**0.5) and spherical[1].norm() == pytest.approx(3.0)
    torch.testing.assert_close(interpolate(a, a, t, "spherical"), a.expand(3, 2))  # parallel codes: no NaN
    with pytest.raises(RequestError, match="linear or spherical"):
        interpolate(a, b, t, "cubic")


@pytest.mark.parametrize("overrides", [
    ["model.name=ive_gan", "model.width_scale=0.0625", "model.latent_dim=4", "data.pad_to=32"],
    ["model.name=clggan", "model.width=4", "model.latent_dim=16", "model.stages=2", "model.stable_steps=2",
     "model.fade_steps=2", "data.resize=8"],
])
def test_ive_gan_and_growing_models_draw_codes_and_decode_in_the_explorer(tmp_path, overrides):
    import latentgan
    from latentgan.config import load_config

    config = load_config(None, [*overrides, "data.name=digits", "train.steps=4", "train.batch_size=16",
                                "train.progress=false", "train.device=cpu", f"train.out={tmp_path / 'run'}"])
    adapter = ModelAdapter(latentgan.load(latentgan.train(config, log=lambda m: None)))
    codes = adapter.random_codes(3, seed=0)
    assert codes.shape == (3, adapter.latent_dim)
    assert adapter.decode(codes).shape == (3, *adapter.shape)
    if adapter.can_encode:  # IVE-GAN: a forward pass through E
        assert adapter.encode(adapter.decode(codes)).shape == (3, adapter.latent_dim)
