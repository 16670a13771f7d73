"""The tempering lens on ALI's x-branch: D sees (L(x), G_z(x)) for real pairs, the encoder still reads x."""

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
