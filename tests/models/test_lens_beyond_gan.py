"""The tempering lens beyond the GAN: ALI (D sees (L(x), G_z(x)), the encoder reads x), IVE-GAN (D and D0 see
lensed reals) and the growing CNN GANs (the critic sees the stage's view of L(x))."""

import pytest
import torch

from latentgan.api import build_model, data_shape_of, load_data
from latentgan.config import load_config
from latentgan.data import IndexBatcher
from latentgan.errors import ConfigError

TINY = ["model.name=ali", "model.width_scale=0.125", "model.latent_dim=8", "model.init=default", "data.name=digits",
        "data.resize=28", "data.limit=256"]
LENS = "model.lens={k: 20, width: 4, blocks: 2}"


@pytest.fixture(autouse=True)
def _one_thread():
    torch.set_num_threads(1)  # tiny convs: a second thread only adds waiting on a busy machine


def _model(*extra):
    config = load_config(None, [*TINY, *extra])
    data = load_data(config)
    return build_model(config, data_shape_of(data), seed=0), data


def test_discriminator_sees_lensed_reals_beside_codes_of_the_raw_images(monkeypatch):
    model, data = _model(LENS)
    x = data.batch(torch.arange(16))[0]
    seen, encoded = [], []
    model.discriminator.register_forward_hook(lambda m, args, out: seen.append(args[0].detach().clone()))
    model.encoder.register_forward_hook(lambda m, args, out: encoded.append(args[0].detach().clone()))
    with torch.no_grad():
        expected = model.lens(x)
    model.training_step((x, None, torch.arange(16)), 0)
    assert torch.allclose(seen[0], expected)  # D's first call: the real pair of its own update
    assert all(torch.equal(e, x) for e in encoded)  # the encoder never reads L(x)


def test_lens_leaves_initial_weights_unchanged_and_updates_with_its_schedule():
    plain, data = _model()
    tempered, _ = _model(LENS)
    for name, p in plain.state_dict().items():
        assert torch.equal(p, tempered.state_dict()[name]), name
    batcher = IndexBatcher(len(data), 32, seed=0)
    logs = [tempered.training_step(data.batch(batcher.next()), step) for step in range(40)]
    assert logs[0]["lens_lambda"].item() == 1.0 and logs[30]["lens_lambda"].item() == 0.0
    assert all(torch.isfinite(log["d_loss"]) and torch.isfinite(log["g_loss"]) for log in logs)
    # past K only reconstruction trains the lens: it moves towards the identity
    assert logs[-1]["lens_recon"] < logs[20]["lens_recon"]


def test_simultaneous_updates_with_a_lens_train_the_lens_too():
    model, data = _model(LENS, "model.update=simultaneous")
    logs = model.training_step(data.batch(torch.arange(32)), 0)
    assert {"d_loss", "g_loss", "lens_loss", "lens_recon"} <= set(logs)


def test_lens_is_refused_where_it_cannot_work():
    with pytest.raises(ConfigError, match="image data"):
        config = load_config(None, ["model.name=ali", "data.name=ring", LENS])
        build_model(config, data_shape_of(load_data(config)), seed=0)
    with pytest.raises(ConfigError, match="no discriminator"):
        load_config(None, [*TINY, "model.name=gan_inverse", "model.decoder_from=/tmp/x", LENS])


IVE = ["model.name=ive_gan", "model.width_scale=0.0625", "model.latent_dim=4", "data.name=digits", "data.pad_to=32",
       "data.limit=200"]


def test_ive_gan_discriminators_see_lensed_reals_and_raw_conditions():
    config = load_config(None, [*IVE, LENS])
    data = load_data(config)
    model = build_model(config, data_shape_of(data), seed=0)
    plain = build_model(load_config(None, IVE), data_shape_of(data), seed=0)
    for name, p in plain.state_dict().items():
        assert torch.equal(p, model.state_dict()[name]), name  # the lens does not move anyone's initial weights
    x = data.batch(torch.arange(8))[0]
    seen = []
    model.features.register_forward_hook(lambda m, args, out: seen.append(args[0].detach().clone()))
    torch.manual_seed(3)
    with torch.no_grad():
        transformed = plain.discriminator_inputs(x)["transformed"]  # the RNG draws the step will make: its T(x)
        expected = model.lens(torch.cat([transformed, x]))  # the lens before its own update
    torch.manual_seed(3)
    logs = model.training_step((x, None, torch.arange(8)), 0)
    parts = seen[0].split(8)  # D's update: L(T(x)), G(z0, E(x)), x, G(z0, z), L(x)
    assert len(parts) == 5 and torch.allclose(parts[0], expected[:8]) and torch.equal(parts[2], x)
    assert torch.allclose(parts[4], expected[8:], atol=1e-6)
    assert {"lens_loss", "lens_lambda", "lens_recon"} <= set(logs) and logs["lens_lambda"].item() == 1.0


def test_growing_critic_sees_the_stage_view_of_lensed_reals():
    from latentgan.models.base import DataShape
    from latentgan.models.growing_cnn import GrowingCNNConfig, GrowingCNNGAN

    torch.manual_seed(0)
    config = GrowingCNNConfig(name="clggan", latent_dim=8, width=8, stages=3, stable_steps=2, fade_steps=3,
                              lens={"k": 10, "width": 4, "blocks": 2})
    model = GrowingCNNGAN(config, DataShape((1, 16, 16)))
    x = torch.rand(8, 1, 16, 16) * 2 - 1
    model.on_step(3)  # inside the first fade-in: the critic's reals are blended across resolutions
    with torch.no_grad():
        expected = model.real_images(model.lens(x))
    seen = []
    model.discriminator.register_forward_hook(lambda m, args, out: seen.append(args[0].detach().clone()))
    logs = model.training_step((x, None, torch.arange(8)), 3)
    assert torch.allclose(seen[0], expected) and logs["lens_lambda"].item() == pytest.approx(1 - 0.4540, abs=1e-3)
