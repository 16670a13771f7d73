import copy
import math

import pytest
import torch

import latentgan
from latentgan import cli
from latentgan.api import build_model, data_shape_of, load_data
from latentgan.config import load_config
from latentgan.errors import ConfigError
from latentgan.experiments.lens_common import read_records
from latentgan.losses import LENS_ADVERSARIAL
from latentgan.models import gan as gan_module
from latentgan.models.tempering import LensConfig, lens_weight
from latentgan.train.run_dir import read_run

TINY = ["model.width=8", "model.latent_dim=8", "data.name=digits", "data.resize=28", "train.batch_size=16"]
LENS = "model.lens={k: 20, width: 4, blocks: 2}"


@pytest.fixture(autouse=True)
def _one_thread():
    torch.set_num_threads(1)  # tiny convs: a second thread only adds waiting on a busy machine


def _model(*extra, seed=0):
    config = load_config(None, [*TINY, *extra])
    data = load_data(config)
    return build_model(config, data_shape_of(data), seed=seed), data


def _batch(data, n=16):
    return data.batch(torch.arange(n))


def test_lens_weight_follows_the_sine_schedule_then_zero_or_the_fixed_value():
    config = LensConfig(k=100)
    for t in (0, 1, 37, 50, 99):
        assert lens_weight(t, config) == pytest.approx(1 - math.sin(t * math.pi / 200))
    assert lens_weight(0, config) == 1.0 and lens_weight(100, config) == 0.0 and lens_weight(10**6, config) == 0.0
    assert lens_weight(5000, LensConfig(k=100, fixed_lambda=1.0)) == 1.0


@pytest.mark.parametrize("d_steps", [1, 2])
def test_logged_lambda_follows_the_schedule_in_generator_iterations(d_steps):
    model, data = _model(LENS, f"model.d_steps={d_steps}")
    batch = _batch(data)
    for step in range(8 * d_steps):
        logs = model.training_step(batch, step)
        if (step + 1) % d_steps:
            assert "lens_lambda" not in logs  # the lens updates with the generator, once per iteration
        else:
            t = step // d_steps
            assert logs["lens_lambda"].item() == pytest.approx(1 - math.sin(t * math.pi / 40))
            assert {"lens_loss", "lens_recon", "lens_adv"} <= set(logs)


def test_discriminator_receives_lensed_reals_not_the_data():
    model, data = _model(LENS)
    batch = _batch(data)
    with torch.no_grad():
        expected = model.lens(batch[0])
    seen = []
    model.discriminator.register_forward_hook(lambda m, inputs, out: seen.append(inputs[0].detach().clone()))
    model.training_step(batch, 0)
    assert torch.allclose(seen[0], expected) and not torch.allclose(seen[0], batch[0], atol=1e-3)


def test_wgan_gp_penalty_interpolates_between_lensed_reals_and_fakes(monkeypatch):
    model, data = _model(LENS, "model.loss=wgan-gp")
    batch = _batch(data)
    with torch.no_grad():
        expected = model.lens(batch[0])
    reals = []
    original = gan_module.gradient_penalty

    def spy(critic, real, fake, generator=None):
        reals.append(real.detach().clone())
        return original(critic, real, fake, generator)

    monkeypatch.setattr(gan_module, "gradient_penalty", spy)
    model.training_step(batch, 0)
    assert torch.allclose(reals[0], expected)


@pytest.mark.parametrize("loss", ["minimax", "ns", "lsgan", "lsgan-sigmoid", "wgan-gp"])
def test_lens_step_with_lambda_works_against_the_discriminator(loss):
    # Twin lenses, one update each: lambda = 1 (t = 0) vs lambda = 0 (t >= K). The adversarial term must leave
    # L_A lower, i.e. D's score of L(x) lower for the logistic and Wasserstein losses, nearer 0 for LSGAN.
    model, data = _model(LENS, f"model.loss={loss}", "model.d_batch_norm=false")
    x = _batch(data)[0]
    twin = copy.deepcopy(model)
    for m in (model, twin):
        m.optimizers["lens"] = torch.optim.SGD(m.lens.parameters(), lr=0.05)
    assert model.lens_step(x, model.lens(x), 0)["lens_lambda"].item() == 1.0
    assert twin.lens_step(x, twin.lens(x), 10**6)["lens_lambda"].item() == 0.0
    with torch.no_grad():
        tempered, plain = model.discriminator(model.lens(x)), model.discriminator(twin.lens(x))
    adversarial = LENS_ADVERSARIAL[loss]
    assert adversarial(tempered) < adversarial(plain)
    if loss not in ("lsgan", "lsgan-sigmoid"):
        assert tempered.mean() < plain.mean()


def test_lambda_zero_trains_only_reconstruction_and_skips_the_discriminator():
    model, data = _model(LENS)
    batch = _batch(data)
    calls = []
    model.discriminator.register_forward_hook(lambda *a: calls.append(1))
    logs = model.training_step(batch, 25)  # past K = 20: lambda = 0
    assert logs["lens_lambda"].item() == 0.0 and logs["lens_adv"].item() == 0.0
    assert logs["lens_loss"].item() == pytest.approx(logs["lens_recon"].item())
    assert len(calls) == 3  # D step: lensed reals and fakes; G step: fakes; none for the lens


def test_same_seed_gives_the_same_initial_g_and_d_and_rng_with_and_without_lens():
    plain, _ = _model(seed=3)
    rng_plain = torch.get_rng_state()
    lensed, _ = _model(LENS, seed=3)
    rng_lensed = torch.get_rng_state()
    for name in ("generator", "discriminator"):
        a, b = getattr(plain, name).state_dict(), getattr(lensed, name).state_dict()
        assert all(torch.equal(a[k], b[k]) for k in a), name
    assert torch.equal(rng_plain, rng_lensed)  # training then draws the same codes too
    other, _ = _model(LENS, seed=4)
    assert not torch.equal(other.lens.head.weight, lensed.lens.head.weight)


def test_short_run_with_lens_trains(tmp_path):
    config = load_config(None, [*TINY, LENS, "train.steps=40", "train.log_every=10", "train.sample_every=1000",
                                "train.checkpoint_every=40", "train.progress=false", "train.device=cpu",
                                f"train.out={tmp_path / 'run'}"])
    data = load_data(config)
    initial = build_model(config, data_shape_of(data), seed=0)
    run = latentgan.train(config, log=lambda m: None)
    trained = latentgan.load(run)
    z = torch.randn(8, 8, generator=torch.Generator().manual_seed(0))
    initial.eval()
    with torch.no_grad():
        assert not torch.allclose(initial.decode(z), trained.decode(z), atol=1e-3)
    assert not torch.equal(initial.lens.tail.weight, trained.lens.tail.weight)
    records = read_records(run)
    losses = [v for r in records for k, v in r.items() if k.endswith(("_loss", "_recon"))]
    assert losses and all(math.isfinite(v) for v in losses)
    assert records[0]["params_lens"] > 0


def test_cli_set_model_lens_key_trains_and_records_every_lens_setting(tmp_path):
    out = tmp_path / "run"
    code = cli.main(["train", "--set", "model.lens.k=5", "--set", "model.lens.width=4", "--set", "model.lens.blocks=1",
                     *[a for kv in TINY for a in ("--set", kv)], "--steps", "6", "--out", str(out), "--quiet"])
    assert code == 0
    config, _ = read_run(out)
    assert config.model.lens == {"k": 5, "width": 4, "blocks": 1, "fixed_lambda": None, "lr": None,
                                 "reconstruction": "mean", "init": "xavier"}


@pytest.mark.parametrize("override, message", [
    ("model.lens.kk=5", r"unknown key .model.lens.kk.; valid keys are: k, width, blocks, fixed_lambda, lr, "
                        r"reconstruction, init"),
    ("model.lens=5", r"model.lens must be of type dict, got 5"),
    ("model.lens.k=-1", r"model.lens needs k >= 0"),
    ("model.lens.width=wide", r"model.lens.width must be of type int"),
    ("model.lens.fixed_lambda=-0.5", r"fixed_lambda must be >= 0"),
])
def test_bad_lens_config_is_one_clear_error(override, message):
    with pytest.raises(ConfigError, match=message):
        load_config(None, [*TINY, override])


def test_lens_on_point_data_is_refused_with_the_fix():
    config = load_config(None, ["data.name=ring", "model.lens={}"])
    with pytest.raises(ConfigError, match="needs image data"):
        build_model(config, data_shape_of(load_data(config)))
