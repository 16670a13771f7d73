import pytest
import torch

from latentgan.api import build_model, data_shape_of, load_data
from latentgan.config import load_config
from latentgan.data import IndexBatcher
from latentgan.errors import ConfigError
from latentgan.metrics.modes import mode_coverage
from latentgan.models.ali import ALI, ALIConfig
from latentgan.models.base import DataShape
from latentgan.nn import Maxout

RING = ["model.latent_dim=2", "model.hidden=[64, 64]", "model.lr_g=1e-3", "model.lr_d=1e-3", "data.name=ring",
        "data.n_points=5000"]


def _ring(extra=(), name="ali"):
    config = load_config(None, [f"model.name={name}", *RING, *extra])
    data = load_data(config)
    return data, build_model(config, data_shape_of(data), seed=0)


def _train(model, data, steps, batch_size=64):
    batcher = IndexBatcher(len(data), batch_size, seed=0)
    for step in range(steps):
        logs = model.training_step(data.batch(batcher.next()), step)
    return logs


def _distance_and_reconstruction(model, data):
    samples = model.sample(1000, generator=torch.Generator().manual_seed(1))
    x = data.x[:500]
    recon = (model.reconstruct(x) - x).pow(2).sum(dim=1).mean()
    return mode_coverage(samples, data.modes, data.mode_std)["mean_distance_to_mode"], float(recon)


def test_ali_moves_samples_to_the_modes_and_learns_to_reconstruct():
    torch.set_num_threads(1)  # tiny MLPs: one thread is fastest on a shared CPU (conftest restores it)
    data, model = _ring()
    dist_before, recon_before = _distance_and_reconstruction(model, data)
    _train(model, data, 2000)
    dist_after, recon_after = _distance_and_reconstruction(model, data)
    assert dist_after * 2.5 <= dist_before, f"distance to modes {dist_before:.3f} -> {dist_after:.3f}"
    assert recon_after * 3 <= recon_before, f"reconstruction error {recon_before:.3f} -> {recon_after:.3f}"


@pytest.mark.parametrize("arch, shape", [("mnist28", (1, 28, 28)), ("svhn32", (3, 32, 32)),
                                         ("cifar32", (3, 32, 32)), ("celeba64", (3, 64, 64))])
def test_table_architectures_encode_decode_and_sample_with_the_right_shapes(arch, shape):
    config = ALIConfig(arch=arch, width_scale=0.0625, latent_dim=8)
    model = ALI(config, DataShape(shape, (0.0, 1.0)))
    x = torch.rand(3, *shape)
    z = model.encode(x)
    assert z.shape == (3, 8) and model.infer(x).shape == (3, 8)
    assert model.decode(z).shape == (3, *shape) and model.reconstruct(x).shape == (3, *shape)
    samples = model.sample(2)
    assert samples.shape == (2, *shape) and samples.min() >= 0 and samples.max() <= 1
    assert model.discriminator(x, z).shape == (3, 1)
    has_maxout = any(isinstance(m, Maxout) for m in model.discriminator.modules())
    assert has_maxout == (arch == "cifar32")  # Table 3 uses maxout, the others leaky ReLU


def test_probe_features_are_the_encoders_last_three_hidden_layers_and_its_code():
    model = ALI(ALIConfig(arch="mnist28", width_scale=0.125, latent_dim=8), DataShape((1, 28, 28), (0.0, 1.0))).eval()
    x = torch.rand(4, 1, 28, 28)
    features = model.probe_features(x)
    hidden = [m for m in model.encoder][-5:-2]
    widths = [32 * 9, 64, 64]  # mnist28's 256-map row at 3x3, then its two 512-map rows at 1x1, all x 0.125
    assert [h.conv.out_channels for h in hidden] == [32, 64, 64]
    assert features.shape == (4, sum(widths) + 8)
    assert torch.equal(features[:, -8:], model.encode(x))
    mlp = ALI(ALIConfig(latent_dim=2, hidden=[16]), DataShape((2,), (-1.0, 1.0))).eval()
    points = torch.randn(5, 2)
    assert torch.equal(mlp.probe_features(points), mlp.encode(points))  # MLPs: the code alone


def test_auto_arch_follows_the_resolution_and_refuses_a_mismatch():
    assert ALI(ALIConfig(width_scale=0.0625, latent_dim=4), DataShape((1, 28, 28))).arch == "mnist28"
    assert ALI(ALIConfig(latent_dim=2), DataShape((2,))).arch == "mlp"
    with pytest.raises(ConfigError, match="needs 32 px"):
        ALI(ALIConfig(arch="svhn32"), DataShape((1, 28, 28)))


def test_gaussian_encoder_is_reparametrised_so_gradients_reach_sigma():
    _, model = _ring()
    x = torch.randn(16, 2)
    assert not torch.equal(model.infer(x), model.infer(x))  # a draw from q(z|x)
    assert torch.equal(model.encode(x), model.encode(x))  # the posterior mean
    (grad,) = torch.autograd.grad(model.infer(x).pow(2).sum(), model.encoder.out.weight)
    assert grad[2:].abs().sum() > 0, "no gradient reached the log-sigma outputs"


def test_bigan_defaults_are_a_deterministic_encoder_and_a_uniform_prior():
    config = load_config(None, ["model.name=bigan"])
    assert (config.model.encoder, config.model.prior) == ("deterministic", "uniform")
    _, model = _ring(name="bigan")
    assert isinstance(model, ALI) and model.encoder.out.out_features == 2
    x = torch.randn(8, 2)
    assert torch.equal(model.infer(x), model.encode(x))
    z = model.prior(1000)
    assert z.min() >= -1 and z.max() <= 1 and z.min() < -0.9


@pytest.mark.parametrize("update", ["alternating", "simultaneous"])
def test_both_update_orders_train_every_network(update):
    data, model = _ring([f"model.update={update}"])
    before = {k: v.clone() for k, v in model.state_dict().items()}
    logs = _train(model, data, 3)
    assert set(logs) == {"d_loss", "g_loss"} and all(torch.isfinite(v) for v in logs.values())
    for part in ("encoder", "decoder", "discriminator"):
        changed = [not torch.equal(v, before[k]) for k, v in model.state_dict().items() if k.startswith(part)]
        assert any(changed), f"{part} did not move under {update} updates"


def test_one_batch_d_differs_from_two_passes_only_through_batch_norm():
    # d_batch=joint: D's batch norm normalises real and fake pairs together, so D's logits change; without batch norm
    # both ways compute the same logits. And a joint-batch ALI trains every network.
    for norm, same in (("true", False), ("false", True)):
        logits = {}
        for mode in ("separate", "joint"):
            data, model = _digits_ali(["model.d_dropout=0", f"model.d_batch_norm={norm}", f"model.d_batch={mode}"])
            x, z = data.batch(torch.arange(32))[0], torch.randn(32, 8, generator=torch.Generator().manual_seed(1))
            with torch.no_grad():
                logits[mode] = torch.cat(model._pair_logits(x, model.encode(x), model.decode(z), z, None))
        assert torch.allclose(logits["separate"], logits["joint"], atol=1e-6) == same, f"d_batch_norm={norm}"
    data, model = _digits_ali(["model.d_batch=joint"])
    before = {k: v.clone() for k, v in model.state_dict().items()}
    logs = _train(model, data, 2, batch_size=16)
    assert all(torch.isfinite(v) for v in logs.values())
    for part in ("encoder", "decoder", "discriminator"):
        assert any(not torch.equal(v, before[k]) for k, v in model.state_dict().items() if k.startswith(part)), part


@pytest.mark.parametrize("override, match", [
    ("model.encoder=vae", "model.encoder"), ("model.update=sometimes", "model.update"),
    ("model.loss=wgan-gp", "model.loss"), ("model.arch=resnet", "model.arch"),
    ("model.width_scale=0", "width_scale"), ("model.d_dropout=1.5", "d_dropout"),
    ("model.prior=cauchy", "model.prior"),
    ("model.d_batch=both", "model.d_batch 'both' is unknown"), ("model.colour=red", "unknown key"),
])
def test_bad_config_is_a_config_error(override, match):
    with pytest.raises(ConfigError, match=match):
        load_config(None, ["model.name=ali", override])


def _conditional_ring(extra=()):
    return _ring(["model.conditional=true", "model.y_embed_dim=4", *extra])


def test_conditional_ali_trains_on_labels_and_the_label_steers_samples_at_fixed_z():
    torch.set_num_threads(1)
    data, model = _conditional_ring()
    assert model.y_dim == 8  # ring-8's component labels, one-hot
    _train(model, data, 1500)
    z = model.prior(1, torch.Generator().manual_seed(0)).expand(8, -1)
    samples = model.sample(8, z=z, y=torch.arange(8))
    nearest = torch.cdist(samples, data.modes).argmin(dim=1)
    assert len(set(nearest.tolist())) >= 4, f"one z, eight labels, modes hit: {nearest.tolist()}"
    x, y = data.x[:500], data.y[:500]
    assert model.encode(x, y).shape == (500, 2) and model.reconstruct(x, y).shape == (500, 2)


def test_conditional_ali_needs_y_and_accepts_attribute_vectors():
    _, model = _conditional_ring()
    with pytest.raises(ValueError, match="conditional"):
        model.encode(torch.randn(4, 2))
    assert model.sample(5).shape == (5, 2)  # random labels when none are given
    table = ALI(ALIConfig(arch="mnist28", width_scale=0.0625, latent_dim=4, conditional=True, y_dim=3),
                DataShape((1, 28, 28)))
    attributes = torch.tensor([[1.0, -1.0, 1.0], [-1.0, -1.0, 1.0]])
    x = table.sample(2, y=attributes)
    assert x.shape == (2, 1, 28, 28) and table.encode(x, attributes).shape == (2, 4)
    with pytest.raises(ConfigError, match="labelled data or model.y_dim"):
        ALI(ALIConfig(conditional=True, latent_dim=2), DataShape((2,)))


def _digits(extra=()):
    config = load_config(None, ["model.name=ali", "model.arch=mlp", "model.latent_dim=8", "model.hidden=[64]",
                                "model.labelled_examples=200", "model.lr_g=1e-3", "model.lr_d=1e-3",
                                "data.name=digits", *extra])
    data = load_data(config)
    model = build_model(config, data_shape_of(data), seed=0)
    model.initialize(data)
    return config, data, model


def test_semi_supervised_discriminator_learns_classes_from_a_few_labels():
    torch.set_num_threads(1)
    config, data, model = _digits()
    assert model.labelled_y.bincount().tolist() == [20] * 10  # class-balanced
    config.data.split = "test"
    x, y, _ = load_data(config).batch(torch.arange(250))
    before = float((model.classify(x) == y).float().mean())
    _train(model, data, 400)
    after = float((model.classify(x) == y).float().mean())
    assert after >= 0.6 and after > before + 0.3, f"test accuracy {before:.2f} -> {after:.2f}"


def test_semi_supervised_labels_survive_a_checkpoint(tmp_path):
    import latentgan

    config = load_config(None, ["model.name=ali", "model.arch=mlp", "model.latent_dim=4", "model.hidden=[16]",
                                "model.labelled_examples=50", "data.name=digits", "train.steps=4",
                                "train.batch_size=32", "train.progress=false", "train.device=cpu",
                                f"train.out={tmp_path / 'run'}"])
    model = latentgan.load(latentgan.train(config, log=lambda m: None))
    assert model.labelled_y.numel() == 50 and model.labelled_x.shape[1:] == model.data_shape.sample_shape
    assert model.classify(model.labelled_x[:5]).shape == (5,)


def test_semi_supervised_needs_labelled_data_and_excludes_conditioning():
    with pytest.raises(ConfigError, match="exclude each other"):
        load_config(None, ["model.name=ali", "model.labelled_examples=100", "model.conditional=true"])
    with pytest.raises(ConfigError, match="needs labelled data"):
        ALI(ALIConfig(arch="mlp", labelled_examples=10), DataShape((2,)))


def _recon_error(model, data):
    x = data.x[:500]
    return float((model.reconstruct(x) - x).pow(2).sum(dim=1).mean())


def test_alice_reconstruction_term_lowers_the_reconstruction_error_against_the_same_run_without_it():
    torch.set_num_threads(1)
    errors = {}
    for weight in (0.0, 1.0):
        data, model = _ring([f"model.recon_weight={weight}"])
        _train(model, data, 200)
        errors[weight] = _recon_error(model, data)
    assert errors[1.0] * 2 <= errors[0.0], errors


def test_alice_cycle_term_makes_codes_of_samples_come_back():
    torch.set_num_threads(1)
    errors = {}
    for weight in (0.0, 1.0):
        data, model = _ring([f"model.cycle_weight={weight}", "model.update=simultaneous"])
        _train(model, data, 200)
        z = model.prior(500, torch.Generator().manual_seed(3))
        with torch.no_grad():
            errors[weight] = float((model.encode(model.decode(z)) - z).pow(2).sum(dim=1).mean())
    assert errors[1.0] * 2 <= errors[0.0], errors


def test_alice_weights_off_leave_plain_ali_unchanged_step_for_step():
    data, plain = _ring()
    _, off = _ring(["model.recon_weight=0", "model.cycle_weight=0"])
    for model in (plain, off):
        torch.manual_seed(5)  # the encoder's noise and z draw from the global RNG: same draws for both
        _train(model, data, 3)
    for (name, a), b in zip(plain.state_dict().items(), off.state_dict().values(), strict=True):
        assert torch.equal(a, b), name


@pytest.mark.parametrize("override", ["model.recon_weight=-1", "model.cycle_weight=-0.5"])
def test_alice_refuses_negative_weights(override):
    with pytest.raises(ConfigError, match="must be >= 0 \\(0: plain ALI\\)"):
        load_config(None, ["model.name=ali", override])


def _digits_ali(extra=()):
    config = load_config(None, ["model.name=ali", "model.width_scale=0.125", "model.latent_dim=8", "data.name=digits",
                                "data.resize=28", "data.limit=200", *extra])
    data = load_data(config)
    return data, build_model(config, data_shape_of(data), seed=0)


def test_output_bias_from_data_starts_the_decoder_at_the_mean_image():
    data, model = _digits_ali(["model.output_bias=data", "model.init=normal"])
    model.initialize(data)
    mean = data.x.float().mean(dim=0)
    samples = model.sample(64, generator=torch.Generator().manual_seed(0))
    # With N(0, 0.01) weights the decoder's pre-activation is ~0 but for the bias: samples sit at the mean image.
    assert (samples.mean(dim=0) - mean.clamp(-0.998, 0.998)).abs().max() < 0.05
    _, plain = _digits_ali(["model.init=normal"])
    far = (plain.sample(64, generator=torch.Generator().manual_seed(0)).mean(dim=0) - mean).abs().max()
    assert far > 0.5  # the per-channel bias at 0 starts at mid-grey, far from the black border


def test_output_bias_data_is_refused_for_mlp_decoders_and_unknown_values():
    with pytest.raises(ConfigError, match="model.output_bias=data needs a table decoder"):
        _ring(["model.output_bias=data"])
    with pytest.raises(ConfigError, match="model.output_bias 'pixel' is unknown"):
        load_config(None, ["model.name=ali", "model.output_bias=pixel"])


def test_init_std_sets_every_weights_std_and_needs_the_gaussian_init():
    _, model = _ring(["model.init=normal", "model.init_std=0.04", "model.hidden=[400, 400]"])
    for net in (model.encoder, model.decoder, model.discriminator):
        wide = [m.weight for m in net.modules() if isinstance(m, torch.nn.Linear) and m.weight.numel() > 10_000]
        assert wide and all(w.std().item() == pytest.approx(0.04, rel=0.05) for w in wide)
    with pytest.raises(ConfigError, match="model.init_std=0.04 needs model.init normal or dcgan"):
        load_config(None, ["model.name=ali", *RING, "model.init_std=0.04"])
    with pytest.raises(ConfigError, match="model.init_std=-0.1 needs"):
        load_config(None, ["model.name=ali", *RING, "model.init=normal", "model.init_std=-0.1"])
