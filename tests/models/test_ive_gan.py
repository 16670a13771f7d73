import pytest
import torch

import latentgan
from latentgan.api import build_model, data_shape_of, load_data
from latentgan.config import load_config
from latentgan.data import IndexBatcher
from latentgan.errors import ConfigError
from latentgan.models.base import DataShape
from latentgan.models.ive_gan import IVEGAN, IVEGANConfig

RING = ["model.name=ive_gan", "model.arch=mlp", "model.latent_dim=3", "model.noise_dim=2", "model.hidden=[64]",
        "model.loss=ns", "model.mlp_activation=leaky_relu", "model.lr_g=5e-4", "model.lr_d=5e-4",
        "model.transform={point_std: null}", "data.name=ring", "data.n_points=4000"]


def _ring(extra=()):
    config = load_config(None, [*RING, *extra])
    data = load_data(config)
    model = build_model(config, data_shape_of(data), seed=0)
    model.initialize(data)
    return data, model


def _train(model, data, steps, batch_size=128):
    batcher = IndexBatcher(len(data), batch_size, seed=0)
    for step in range(steps):
        logs = model.training_step(data.batch(batcher.next()), step)
    return logs


def _reconstruction_error(model, x):
    return float((model.reconstruct(x) - x).pow(2).sum(dim=1).mean())


def test_point_shift_takes_the_mixtures_std_and_has_covariance_sigma_over_two():
    data, model = _ring()
    assert float(model.point_std) == pytest.approx(data.mode_std)
    x = torch.zeros(20_000, 2)
    shifted = model.transform_batch(x, torch.Generator().manual_seed(0))
    assert torch.cov(shifted.T) == pytest.approx(torch.eye(2) * data.mode_std**2 / 2, abs=2e-5)


def test_discriminators_receive_transformed_and_reconstructed_pairs_conditioned_on_x(monkeypatch):
    data, model = _ring()
    x = data.x[:16]
    torch.manual_seed(3)
    inputs = model.discriminator_inputs(x)
    torch.manual_seed(3)  # the same draws again, made by hand: T(x), then z0 for G(z0, E(x))
    transformed = model.transform_batch(x)
    reconstructed = model.decode(model.encode(x), model.noise(16))
    assert torch.equal(inputs["transformed"], transformed) and not torch.equal(transformed, x)
    assert torch.equal(inputs["reconstructed"], reconstructed)
    assert torch.equal(inputs["condition"], x)

    seen = []
    original = model.joint_head.forward
    monkeypatch.setattr(model.joint_head, "forward", lambda a, c: seen.append((a, c)) or original(a, c))
    model.scores(inputs)  # the MLP's D_enc is the identity, so the head sees the pairs themselves
    (a_real, c_real), (a_fake, c_fake) = seen
    assert torch.equal(a_real, transformed) and torch.equal(c_real, x)
    assert torch.equal(a_fake, reconstructed) and torch.equal(c_fake, x)


def test_mismatched_pairs_show_d_another_examples_transform_beside_x_as_a_fake(monkeypatch):
    data, model = _ring(["model.mismatched_pairs=true"])
    x = data.x[:16]
    inputs = model.discriminator_inputs(x)
    seen = []
    original = model.joint_head.forward
    monkeypatch.setattr(model.joint_head, "forward", lambda a, c: seen.append((a, c)) or original(a, c))
    scores = model.scores(inputs)
    a_mismatched, c_mismatched = seen[-1]
    assert torch.equal(a_mismatched, inputs["transformed"].roll(1, dims=0)) and torch.equal(c_mismatched, x)
    # D's joint loss: the real pair against both kinds of fake pair, half each (Reed et al.).
    model.config.d_steps = 2  # step 0 then updates D alone
    monkeypatch.setattr(model, "scores", lambda _inputs: scores)
    d_loss = float(model.training_step((x,), 0)["d_loss"])
    d = model.loss.discriminator
    scores = {k: v.detach() for k, v in scores.items()}
    expected = 0.5 * (d(scores["real_pair"], scores["fake_pair"]) + d(scores["real_pair"], scores["mismatched_pair"]))
    assert d_loss == pytest.approx(float(expected + d(scores["real"], scores["fake"])), rel=1e-6)


def test_a_short_run_learns_to_reconstruct_and_moves_samples_towards_the_ring():
    from latentgan.metrics.modes import mode_coverage

    torch.set_num_threads(1)  # tiny MLPs: one thread is fastest on a shared CPU (conftest restores it)
    data, model = _ring()
    x = data.x[:500]
    recon_before = _reconstruction_error(model, x)
    dist_before = mode_coverage(model.sample(1000), data.modes, data.mode_std)["mean_distance_to_mode"]
    logs = _train(model, data, 600)
    recon_after = _reconstruction_error(model, x)
    dist_after = mode_coverage(model.sample(1000), data.modes, data.mode_std)["mean_distance_to_mode"]
    assert set(logs) == {"d_loss", "g_loss"} and all(torch.isfinite(v) for v in logs.values())
    assert recon_after * 5 <= recon_before, f"reconstruction error {recon_before:.3f} -> {recon_after:.3f}"
    assert dist_after < dist_before, f"distance to modes {dist_before:.3f} -> {dist_after:.3f}"


@pytest.mark.parametrize("arch, shape", [("mnist32", (1, 32, 32)), ("celeba128", (3, 128, 128))])
def test_table_architectures_encode_decode_and_sample_with_the_right_shapes(arch, shape):
    config = IVEGANConfig(arch=arch, width_scale=0.0625, latent_dim=5, noise_dim=3)
    config.validate()
    model = IVEGAN(config, DataShape(shape))
    x = torch.rand(4, *shape) * 2 - 1
    z = model.encode(x)
    assert z.shape == (4, 5) and z.abs().max() <= 1  # codes live in the uniform prior's cube
    assert model.decode(z).shape == (4, *shape)
    assert model.sample(3, generator=torch.Generator().manual_seed(0)).shape == (3, *shape)
    assert model.reconstruct(x).shape == (4, *shape)
    logs = model.training_step((x, None, torch.arange(4)), 0)
    assert all(torch.isfinite(v) for v in logs.values())


@pytest.mark.parametrize("arch", ["mlp", "mnist32"])
def test_code_norm_keeps_trained_codes_in_the_bulk_of_the_prior_cube(arch):
    torch.set_num_threads(1)
    torch.manual_seed(0)
    if arch == "mlp":
        data, model = _ring(["model.code_norm=true", "model.lr_g=5e-3"])
        x = data.x[:1000]
    else:
        model = IVEGAN(IVEGANConfig(arch=arch, width_scale=0.0625, code_norm=True, lr_g=5e-3), DataShape((1, 32, 32)))
        data, x = None, torch.rand(256, 1, 32, 32) * 2 - 1
    for step in range(100):  # a fast encoder: without the norm its tanh codes would drift to the corners
        model.training_step(data.batch(torch.randint(len(data), (128,))) if data else (x[:64], None, None), step)
    with torch.no_grad():
        model.eval()
        z = model.encode(x)
    assert (z.abs() > 0.99).float().mean() < 0.05
    assert 0.3 < float(z.std(dim=0).mean()) < 0.8  # tanh(N(0, 1)) has std 0.63; the uniform prior 0.58


def test_code_moments_pull_the_codes_towards_the_priors_mean_and_covariance():
    from latentgan.nn.priors import moment_penalty

    torch.set_num_threads(1)
    spread = {}
    for weight in (0.0, 10.0):
        data, model = _ring([f"model.code_moments={weight}", "model.lr_g=5e-3"])
        _train(model, data, 150)
        with torch.no_grad():
            spread[weight] = float(moment_penalty(model.encode(data.x[:2000]), "uniform"))
    # The ring's 2-D points fill 3-d codes poorly on their own; the penalty spreads them like U(-1, 1)^3.
    assert spread[10.0] < 0.5 * spread[0.0], spread


def test_moment_penalty_is_small_for_prior_draws_and_large_for_corner_codes():
    from latentgan.nn.priors import moment_penalty, sample_prior

    g = torch.Generator().manual_seed(0)
    for prior in ("uniform", "normal"):
        assert float(moment_penalty(sample_prior(prior, 20_000, 8, generator=g), prior)) < 0.01
    corners = torch.ones(100, 8)
    corners[::2] = -1.0  # every code at one of two opposite corners: variance 1 along one diagonal
    assert float(moment_penalty(corners, "uniform")) > 10


def test_same_code_with_different_noise_varies_and_zero_noise_is_deterministic():
    data, model = _ring()
    _train(model, data, 100)
    z = model.prior(1).repeat(8, 1)
    varied = model.sample(8, z=z, generator=torch.Generator().manual_seed(0))
    assert varied.std(dim=0).sum() > 0
    x = data.x[:8]
    assert torch.equal(model.reconstruct(x), model.reconstruct(x))


def test_trains_through_the_cli_config_and_loads_for_reconstruction(tmp_path):
    config = load_config("ive-ring", ["model.hidden=[32]", "data.n_points=1000", "train.steps=20",
                                      "train.batch_size=64", "train.progress=false", "train.device=cpu",
                                      f"train.out={tmp_path / 'run'}"])
    run_dir = latentgan.train(config, log=lambda m: None)
    model = latentgan.load(run_dir)
    assert float(model.point_std) == pytest.approx(0.02)  # restored from the checkpoint, not recomputed
    assert model.reconstruct(torch.zeros(3, 2)).shape == (3, 2)


@pytest.mark.parametrize("override, phrase", [
    ("model.transform={shift: 2, wobble: 1}", "unknown keys ['wobble']"),
    ("model.transform={rotate: -5}", "rotate must be >= 0"),
    ("model.transform={point_std: -1}", "point_std must be a number >= 0"),
    ("model.loss=wgan-gp", "model.loss 'wgan-gp' is unknown"),
    ("model.noise_dim=-1", "noise_dim >= 0"),
    ("model.code_moments=-1", "code_moments must be >= 0"),
    ("model.recon_weight=-0.5", "model.recon_weight must be >= 0"),
    ("model.g_batch=both", "model.g_batch 'both' is unknown; choose one of: separate, joint"),
    ("model.d_batch=split", "model.d_batch 'split' is unknown; choose one of: separate, joint"),
    ("model.init=lecun", "model.init 'lecun' is unknown; choose auto, paper or one of"),
])
def test_bad_config_values_are_refused_with_the_fix(override, phrase):
    with pytest.raises(ConfigError, match=phrase.replace("[", r"\[").replace("]", r"\]")):
        load_config(None, ["model.name=ive_gan", override])


def test_28_pixel_images_ask_for_padding_to_the_tables_32():
    with pytest.raises(ConfigError, match="data.pad_to=32"):
        IVEGAN(IVEGANConfig(), DataShape((1, 28, 28)))


def test_data_without_a_mixture_std_needs_an_explicit_point_std():
    config = load_config(None, ["model.name=ive_gan", "model.transform={point_std: null}", "data.name=swissroll",
                                "data.n_points=500"])
    data = load_data(config)
    model = build_model(config, data_shape_of(data), seed=0)
    with pytest.raises(ConfigError, match="set model.transform.point_std"):
        model.initialize(data)


def _table_model(**kw):
    torch.manual_seed(0)
    config = IVEGANConfig(arch="mnist32", width_scale=0.0625, latent_dim=3, loss="ns", **kw)
    config.validate()
    return IVEGAN(config, DataShape((1, 32, 32)))


def _gradient_of_a_common_code_shift(model, x):
    """d(E and G's loss) / d(shift added to every E(x) in the batch): what ties the codes' position to the prior."""
    shift = torch.zeros(1, 3, requires_grad=True)
    encode = model._encode
    model._encode = lambda batch: encode(batch) + shift
    s = model.scores(model.discriminator_inputs(x))
    (model.loss.generator(s["fake_pair"]) + model.loss.generator(s["fake"])).backward()
    return float(shift.grad.abs().max())


def test_joint_g_batch_lets_the_loss_see_where_the_codes_sit_and_separate_does_not():
    x = torch.rand(16, 1, 32, 32) * 2 - 1
    # Separate batches: G's input batch norm removes any shift common to E(x), so the gradient is zero (issue 23).
    assert _gradient_of_a_common_code_shift(_table_model(g_batch="separate"), x) < 1e-6
    assert _gradient_of_a_common_code_shift(_table_model(g_batch="joint"), x) > 1e-4


def test_joint_g_batch_calls_g_once_on_codes_and_prior_draws_together():
    model = _table_model(g_batch="joint")
    calls = []
    model.generator.register_forward_hook(lambda m, args, out: calls.append(args[0].shape[0]))
    model.discriminator_inputs(torch.rand(8, 1, 32, 32) * 2 - 1)
    assert calls == [16]
    separate = _table_model()
    separate.generator.register_forward_hook(lambda m, args, out: calls.append(args[0].shape[0]))
    separate.discriminator_inputs(torch.rand(8, 1, 32, 32) * 2 - 1)
    assert calls == [16, 8, 8]


@pytest.mark.parametrize("g_batch, d_batch", [("joint", "joint"), ("separate", "separate"), ("joint", "separate")])
def test_every_batching_trains_and_draws_the_same_randomness(g_batch, d_batch):
    x = torch.rand(8, 1, 32, 32) * 2 - 1
    base, other = _table_model(), _table_model(g_batch=g_batch, d_batch=d_batch)
    torch.manual_seed(1)
    base.training_step((x, None, None), 0)
    after_base = torch.rand(1)
    torch.manual_seed(1)
    logs = other.training_step((x, None, None), 0)
    assert torch.equal(torch.rand(1), after_base)  # same draws: a switch changes batching, not the samples
    assert all(torch.isfinite(v) for v in logs.values())


def test_separate_d_batch_runs_d_enc_once_per_input():
    model = _table_model(d_batch="separate")
    calls = []
    model.features.register_forward_hook(lambda m, args, out: calls.append(args[0].shape[0]))
    model.scores(model.discriminator_inputs(torch.rand(8, 1, 32, 32) * 2 - 1))
    assert calls == [8, 8, 8, 8]


def test_paper_init_gives_he_to_leaky_relu_layers_and_xavier_to_the_output_layers():
    torch.manual_seed(0)
    paper, auto = _table_model(init="paper"), _table_model()
    last_paper, last_auto = paper.generator.convs[-2].weight, auto.generator.convs[-2].weight
    fan_in, fan_out = last_paper.shape[1] * 25, last_paper.shape[0] * 25  # ConvTranspose: (in, out, k, k)
    assert float(last_paper.std()) == pytest.approx((2 / (fan_in + fan_out)) ** 0.5, rel=0.15)  # Xavier
    assert float(last_auto.std()) > 2 * float(last_paper.std())  # "auto" gives G's output layer He (8x at full width)
    dense = paper.generator.dense[0].weight  # Dense 4096 + BN + LReLU: He with slope 0.2
    assert float(dense.std()) == pytest.approx((2 / 1.04 / dense.shape[1]) ** 0.5, rel=0.15)
    code_layer = paper.encoder[1]  # E's dense layer to the tanh code: Xavier
    fan_in, fan_out = code_layer.weight.shape[1], code_layer.weight.shape[0]
    assert float(code_layer.weight.std()) == pytest.approx((2 / (fan_in + fan_out)) ** 0.5, rel=0.15)


def test_pair_accuracy_and_code_saturation_metrics_read_a_trained_run(tmp_path):
    from latentgan.evaluation import evaluate_run

    config = load_config(None, ["model.name=ive_gan", "model.width_scale=0.0625", "model.latent_dim=3",
                                "data.name=digits", "data.pad_to=32", "data.limit=200", "train.steps=30",
                                "train.batch_size=32", "train.progress=false", "train.device=cpu",
                                f"train.out={tmp_path / 'run'}"])
    run_dir = latentgan.train(config, log=lambda m: None)
    metrics = evaluate_run(run_dir, "pair_accuracy,code_saturation", n=100, device="cpu")["metrics"]
    for key in ("pair_accuracy", "pair_accuracy_real", "pair_accuracy_fake", "code_saturation", "code_corners"):
        value = next(v for k, v in metrics.items() if k.startswith(key + "@"))
        assert 0.0 <= value <= 1.0


def test_pair_accuracy_and_code_saturation_count_what_they_say():
    from latentgan.metrics.encoder_diagnostics import code_saturation, pair_accuracy

    x = torch.zeros(10, 2)
    perfect = pair_accuracy(lambda b, g: (torch.ones(len(b), 1), -torch.ones(len(b), 1)), x, batch_size=3)
    fooled = pair_accuracy(lambda b, g: (torch.ones(len(b), 1), torch.ones(len(b), 1)), x)
    assert perfect["pair_accuracy"] == 1.0 and fooled == {"pair_accuracy": 0.5, "pair_accuracy_real": 1.0,
                                                          "pair_accuracy_fake": 0.0}
    codes = torch.tensor([[0.995, -0.999], [0.2, 1.0], [0.0, 0.1], [-1.0, -1.0]])
    result = code_saturation(lambda b: codes[: len(b)], torch.zeros(4, 1))
    assert result["code_saturation"] == pytest.approx(5 / 8) and result["code_corners"] == pytest.approx(2 / 4)


def _digits_run(recon_weight: float, steps: int = 300) -> dict[str, float]:
    """A short IVE-GAN run on scikit-learn's 8x8 digits (Table 1's MLPs): held-out code k-NN, reconstruction MSE at
    step 0 and at the end, and the share of saturated code coordinates."""
    from latentgan.metrics.encoder_diagnostics import code_saturation
    from latentgan.metrics.probe import knn_probe

    config = load_config(None, ["model.name=ive_gan", "model.arch=mlp", "model.latent_dim=8", "model.noise_dim=4",
                                "model.loss=ns", "model.transform={shift: 1, rotate: 10}", "data.name=digits",
                                f"model.recon_weight={recon_weight}"])
    train = load_data(config)
    config.data.split = "test"
    test = load_data(config)
    model = build_model(config, data_shape_of(train), seed=0)
    tx, ty, _ = train.batch(torch.arange(len(train)))
    vx, vy, _ = test.batch(torch.arange(len(test)))
    mse_before = float((model.reconstruct(vx) - vx).pow(2).mean())
    _train(model, train, steps, batch_size=64)
    with torch.no_grad():
        knn = knn_probe(model.encode(tx), ty, model.encode(vx), vy, n_labels=1000, repeats=1, k=10)["mean"]
    return {"knn": knn, "mse_before": mse_before, "mse": float((model.reconstruct(vx) - vx).pow(2).mean()),
            "saturation": code_saturation(model.encode, vx)["code_saturation"]}


def test_reconstruction_term_gives_codes_that_keep_the_class_and_reconstructions_that_improve():
    torch.set_num_threads(1)
    with_term, without = _digits_run(10.0), _digits_run(0.0)
    # Issue 23's checks on the study's winning setting (model.recon_weight=10): k-NN in the codes of held-out digits
    # far above chance (0.1), reconstructions at least 3x better than at step 0, codes off the tanh cube's corners.
    assert with_term["knn"] > 0.5, with_term
    assert with_term["mse"] * 3 < with_term["mse_before"], with_term
    assert with_term["saturation"] < 0.5, with_term
    # The term is what does it: the same run without it reconstructs worse and keeps less class in its codes.
    assert with_term["mse"] * 1.5 < without["mse"] and with_term["knn"] > without["knn"], (with_term, without)
