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


@pytest.mark.parametrize("override", ["model.loss=l3", "model.obs_std=0", "model.kl_weight=-1"])
def test_bad_vae_config_is_refused(override):
    with pytest.raises(ConfigError):
        load_config(None, ["model.name=vae", "data.name=mnist5k", override])
