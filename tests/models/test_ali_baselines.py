import json

import pytest
import torch

import latentgan
from latentgan.api import build_model, data_shape_of, load_data
from latentgan.config import load_config
from latentgan.data import IndexBatcher
from latentgan.errors import ConfigError
from latentgan.models.ali_baselines import ALIPostHoc, GANInverse

RING = ["model.latent_dim=2", "model.hidden=[32, 32]", "data.name=ring", "data.n_points=1000"]
TRAIN = ["train.batch_size=64", "train.log_every=10", "train.sample_every=1000", "train.checkpoint_every=20",
         "train.progress=false", "train.device=cpu"]


def _quiet(message):
    pass


@pytest.fixture(scope="module")
def gan_run(tmp_path_factory):
    """A briefly trained ring GAN whose generator the baselines take as their decoder."""
    out = tmp_path_factory.mktemp("gan") / "run"
    return latentgan.train(load_config(None, ["model.name=gan", *RING, *TRAIN, "train.steps=60",
                                              f"train.out={out}"]), log=_quiet)


def _baseline(name, gan_run, extra=()):
    config = load_config(None, [f"model.name={name}", f"model.decoder_from={gan_run}", "model.lr_g=1e-3",
                                "model.lr_d=1e-3", *RING, *extra])
    data = load_data(config)
    model = build_model(config, data_shape_of(data), seed=0)
    model.initialize(data)
    return data, model


def _train(model, data, steps):
    batcher = IndexBatcher(len(data), 64, seed=0)
    for step in range(steps):
        logs = model.training_step(data.batch(batcher.next()), step)
    return logs


def test_gan_inverse_encoder_learns_to_recover_z_from_the_gans_samples(gan_run):
    torch.set_num_threads(1)  # tiny MLPs: one thread is fastest on a shared CPU (conftest restores it)
    data, model = _baseline("gan_inverse", gan_run)
    assert isinstance(model, GANInverse) and not hasattr(model, "discriminator")
    z = model.prior(1000, torch.Generator().manual_seed(1))
    with torch.no_grad():
        before = float(model.inverse_loss(z))
    logs = _train(model, data, 300)
    with torch.no_grad():
        after = float(model.inverse_loss(z))
    assert set(logs) == {"e_loss"}
    assert after * 2 <= before, f"E||z - E(G(z))||^2 {before:.3f} -> {after:.3f}"


def test_posthoc_decoder_is_the_gans_generator_and_never_moves(gan_run):
    torch.set_num_threads(1)
    data, model = _baseline("ali_posthoc", gan_run, ["model.d_dropout=0.2"])
    assert isinstance(model, ALIPostHoc)
    generator = latentgan.load(gan_run).generator.state_dict()
    assert all(torch.equal(v, generator[k]) for k, v in model.decoder.state_dict().items())
    before = {k: v.clone() for k, v in model.state_dict().items()}
    model.train()
    assert not model.decoder.training and model.encoder.training
    logs = _train(model, data, 100)
    assert set(logs) == {"d_loss", "g_loss"} and all(torch.isfinite(v) for v in logs.values())
    for part in ("encoder", "decoder", "discriminator"):
        changed = [not torch.equal(v, before[k]) for k, v in model.state_dict().items() if k.startswith(part)]
        assert any(changed) == (part != "decoder"), f"{part}: changed={changed}"
    x = data.x[:8]
    assert model.encode(x).shape == (8, 2) and model.reconstruct(x).shape == (8, 2)
    assert model.sample(5).shape == (5, 2)


def test_ali_grid_config_gives_the_baselines_alis_decoder_and_discriminator(gan_run):
    shapes = {}
    for name in ("ali", "gan_inverse", "ali_posthoc"):
        source = [] if name == "ali" else [f"model.decoder_from={gan_run}"]
        config = load_config("ali-grid", [f"model.name={name}", *source])
        model = build_model(config, data_shape_of(load_data(config)))
        shapes[name] = {k: v.shape for k, v in model.state_dict().items() if k.startswith(("decoder", "discrim"))}
    assert shapes["ali_posthoc"] == shapes["ali"]
    assert shapes["gan_inverse"] == {k: s for k, s in shapes["ali"].items() if k.startswith("decoder")}


class Interrupted(Exception):
    pass


def _losses(run_dir):
    lines = [json.loads(s) for s in (run_dir / "metrics.jsonl").read_text().splitlines()]
    return [{k: v for k, v in r.items() if k not in ("images_per_sec", "wall_sec")} for r in lines]


@pytest.mark.parametrize("name, model_class", [("gan_inverse", GANInverse), ("ali_posthoc", ALIPostHoc)])
def test_resume_after_a_crash_equals_the_uninterrupted_run(tmp_path, monkeypatch, gan_run, name, model_class):
    def config(out):
        return load_config(None, [f"model.name={name}", f"model.decoder_from={gan_run}", "model.d_dropout=0.2",
                                  *RING, *TRAIN, "train.steps=60", f"train.out={out}"])

    straight = latentgan.train(config(tmp_path / "straight"), log=_quiet)
    original = model_class.training_step

    def crashing_step(self, batch, step):
        if step == 47:  # after the checkpoint and the log at step 40
            raise Interrupted
        return original(self, batch, step)

    with monkeypatch.context() as m:
        m.setattr(model_class, "training_step", crashing_step)
        with pytest.raises(Interrupted):
            latentgan.train(config(tmp_path / "crashed"), log=_quiet)
    latentgan.resume(tmp_path / "crashed", log=_quiet)
    a, b = latentgan.load(straight), latentgan.load(tmp_path / "crashed")
    for (key, p), q in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        assert torch.equal(p, q), f"{key} differs after resume"
    assert _losses(straight) == _losses(tmp_path / "crashed")
    generator = latentgan.load(gan_run).generator.state_dict()
    assert all(torch.equal(v, generator[k]) for k, v in b.decoder.state_dict().items())


@pytest.mark.parametrize("overrides, match", [
    (["model.name=gan_inverse"], "needs model.decoder_from"),
    (["model.name=ali_posthoc", "model.decoder_from=r", "model.update=simultaneous"], "update=alternating"),
    (["model.name=ali_posthoc", "model.decoder_from=r", "model.conditional=true"], "unconditional GAN"),
])
def test_bad_config_is_a_config_error(overrides, match):
    with pytest.raises(ConfigError, match=match):
        load_config(None, overrides)


@pytest.mark.parametrize("extra, match", [
    ([], "is not a finished gan run"),  # decoder_from points at a missing directory
    (["model.hidden=[16]"], "does not fit this decoder"),
    (["model.prior=uniform"], "set model.prior=normal"),
    (["data.value_range=[0, 1]"], "use the GAN's data settings"),
])
def test_a_gan_run_that_does_not_fit_is_refused_before_the_run_starts(tmp_path, gan_run, extra, match):
    source = tmp_path / "missing" if not extra else gan_run
    config = load_config(None, ["model.name=ali_posthoc", f"model.decoder_from={source}", *RING, *TRAIN,
                                "train.steps=1", f"train.out={tmp_path / 'run'}", *extra])
    with pytest.raises(ConfigError, match=match):
        latentgan.train(config, log=_quiet)
    assert not (tmp_path / "run").exists()  # a bad decoder_from leaves nothing behind


def test_decoder_from_must_be_a_gan_run(tmp_path, gan_run):
    posthoc = latentgan.train(load_config(None, ["model.name=ali_posthoc", f"model.decoder_from={gan_run}", *RING,
                                                 *TRAIN, "train.steps=1", f"train.out={tmp_path / 'a'}"]), log=_quiet)
    config = load_config(None, ["model.name=gan_inverse", f"model.decoder_from={posthoc}", *RING])
    with pytest.raises(ConfigError, match="is a 'ali_posthoc' run; point it at a run of model gan"):
        build_model(config, data_shape_of(load_data(config))).initialize(None)
