import pytest
import torch

from latentgan.api import build_model, data_shape_of, load_data
from latentgan.config import load_config
from latentgan.data import IndexBatcher
from latentgan.errors import ConfigError
from tests.conftest import load_script

RING = load_script("gan_ring_losses")  # the very functions behind the table in docs/results.md


def _ring_setup(loss, extra):
    config = load_config(None, ["model.name=gan", f"model.loss={loss}", "model.latent_dim=2",
                                "model.hidden=[128, 128]", "model.lr_g=1e-3", "model.lr_d=1e-3",
                                "data.name=ring", "data.n_points=20000", *extra])
    data = load_data(config)
    return data, build_model(config, data_shape_of(data), seed=0)


@pytest.mark.parametrize("loss", sorted(RING.SETTINGS))
def test_gan_learns_ring8_with_each_loss(loss):
    steps, extra = RING.SETTINGS[loss]
    before, after, _ = RING.run(loss, steps, extra, seed=0)
    assert after * 5 <= before, f"{loss}: mean distance to nearest mode {before:.3f} -> {after:.3f}"


def test_training_step_losses_are_finite():
    data, model = _ring_setup("wgan-gp", ["model.d_steps=2"])
    batcher = IndexBatcher(len(data), 64, seed=0)
    for step in range(4):
        logs = model.training_step(data.batch(batcher.next()), step)
        assert all(torch.isfinite(v) for v in logs.values())
    assert set(logs) == {"d_loss", "g_loss"}


def test_dcgan_samples_have_the_data_shape_and_range():
    config = load_config(None, ["model.width=8", "model.latent_dim=16", "data.name=digits", "data.resize=28",
                                "data.value_range=[0, 1]"])
    data = load_data(config)
    model = build_model(config, data_shape_of(data), seed=0)
    logs = model.training_step(data.batch(torch.arange(16)), 0)
    assert set(logs) == {"d_loss", "g_loss"}
    x = model.sample(5)
    assert x.shape == (5, 1, 28, 28) and x.min() >= 0 and x.max() <= 1


def test_sampling_with_a_generator_is_reproducible_and_leaves_global_rng_alone():
    data, model = _ring_setup("ns", [])
    state = torch.get_rng_state()
    a = model.sample(10, generator=torch.Generator().manual_seed(3))
    b = model.sample(10, generator=torch.Generator().manual_seed(3))
    assert torch.equal(a, b) and torch.equal(state, torch.get_rng_state())


def test_same_seed_same_initial_weights():
    _, a = _ring_setup("ns", [])
    _, b = _ring_setup("ns", [])
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))


def test_dcgan_on_points_is_refused():
    with pytest.raises(ConfigError, match="needs image data"):
        _ring_setup("ns", ["model.arch=dcgan"])


def test_init_std_sets_every_weights_std_and_needs_the_gaussian_init():
    _, model = _ring_setup("ns", ["model.init=normal", "model.init_std=0.04", "model.hidden=[400, 400]"])
    wide = [m.weight for m in model.modules() if isinstance(m, torch.nn.Linear) and m.weight.numel() > 10_000]
    assert len(wide) == 2 and all(w.std().item() == pytest.approx(0.04, rel=0.05) for w in wide)
    with pytest.raises(ConfigError, match="model.init_std=0.04 needs model.init normal or dcgan"):
        load_config(None, ["model.name=gan", "model.init=xavier", "model.init_std=0.04"])
