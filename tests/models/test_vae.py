import pytest
import torch

from latentgan.config import load_config
from latentgan.data import IndexBatcher, load_dataset
from latentgan.errors import ConfigError
from latentgan.models.base import DataShape
from latentgan.models.vae import VAE, VAEConfig


def test_vae_elbo_falls_and_encode_is_the_posterior_mean():
    torch.set_num_threads(1)  # conftest restores the count
    data = load_dataset("mnist5k", split="train", limit=256)
    torch.manual_seed(0)
    model = VAE(VAEConfig(latent_dim=8, width=8), DataShape(data.sample_shape, data.value_range))
    batcher = IndexBatcher(len(data), 64, seed=0)
    losses = [model.training_step(data.batch(batcher.next()), step)["loss"].item() for step in range(120)]
    assert sum(losses[-10:]) < 0.5 * sum(losses[:10])
    model.eval()
    x = data.scale(data.x[:4])
    z = model.encode(x)
    assert z.shape == (4, 8) and torch.equal(z, model.encode(x))  # deterministic: the mean, not a draw
    samples = model.sample(5, torch.Generator().manual_seed(0))
    assert samples.shape == (5, 1, 28, 28) and samples.abs().max() <= 1


@pytest.mark.parametrize("override", ["model.loss=l3", "model.obs_std=0", "model.kl_weight=-1", "model.arch=resnet",
                                      "model.hidden=[]"])
def test_bad_vae_config_is_refused(override):
    with pytest.raises(ConfigError):
        load_config(None, ["model.name=vae", "data.name=mnist5k", override])


def test_mlp_vae_on_points_learns_to_reconstruct_the_grid():
    torch.set_num_threads(1)
    config = load_config(None, ["model.name=vae", "model.latent_dim=2", "model.hidden=[64,64]", "model.obs_std=0.1",
                                "data.name=grid", "data.limit=2000"])
    data = load_dataset("grid", split="train", limit=2000)
    torch.manual_seed(0)
    model = VAE(config.model, DataShape(data.sample_shape, data.value_range))
    assert model.arch == "mlp"
    test = load_dataset("grid", split="test", limit=500).x
    before = (model.reconstruct(test) - test).pow(2).sum(1).mean()
    batcher = IndexBatcher(len(data), 100, seed=0)
    for step in range(300):
        model.training_step(data.batch(batcher.next()), step)
    after = (model.reconstruct(test) - test).pow(2).sum(1).mean()
    assert after < 0.3 * before
    assert model.sample(7, torch.Generator().manual_seed(0)).shape == (7, 2)


def test_vae_refuses_image_losses_and_dcgan_on_points():
    shape = DataShape((2,), (-5.0, 5.0))
    with pytest.raises(ConfigError, match="model.loss=l2"):
        VAE(VAEConfig(loss="lap1"), shape)
    with pytest.raises(ConfigError, match="arch mlp"):
        VAE(VAEConfig(arch="dcgan"), shape)


def test_reconstruct_is_decode_of_encode_for_vae_glo_and_pca():
    from latentgan.models.glo import GLO, GLOConfig
    from latentgan.models.pca import PCAConfig, PCAModel

    torch.set_num_threads(1)
    data = load_dataset("mnist5k", split="train", limit=64)
    shape = DataShape(data.sample_shape, data.value_range)
    x = data.scale(data.x[:3])
    torch.manual_seed(0)
    vae = VAE(VAEConfig(latent_dim=4, width=8), shape)
    assert torch.equal(vae.reconstruct(x), vae.eval().decode(vae.encode(x)))
    pca = PCAModel(PCAConfig(latent_dim=4), shape)
    pca.initialize(data)
    assert torch.allclose(pca.reconstruct(x), pca.decode(pca.encode(x)))
    glo = GLO(GLOConfig(latent_dim=4, width=8, encode_steps=3), shape)
    glo.initialize(data)
    assert glo.reconstruct(x).shape == x.shape and glo.generator.training  # eval only while reconstructing
