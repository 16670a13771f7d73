import json

import pytest
import torch

import latentgan
from latentgan.api import build_model, data_shape_of, load_data
from latentgan.checkpoint import list_checkpoints
from latentgan.config import load_config
from latentgan.errors import ConfigError
from latentgan.metrics.context import EvalContext
from latentgan.metrics.registry import evaluate
from latentgan.models.base import DataShape
from latentgan.models.growing_cnn import VARIANTS, GrowingCNNConfig, GrowingCNNGAN, channel_table

IMAGES = DataShape((1, 16, 16))
TINY = dict(latent_dim=8, width=8, stages=3, stable_steps=2, fade_steps=3)


def _tiny(name, **extra):
    torch.manual_seed(0)
    return GrowingCNNGAN(GrowingCNNConfig(name=name, **{**TINY, **extra}), IMAGES)


def _train(model, steps, start=0):
    x = torch.rand(8, 1, 16, 16) * 2 - 1
    for step in range(start, start + steps):
        model.on_step(step)
        model.training_step((x, None, torch.arange(8)), step)


def _outputs(model, step, codes, real):
    model.on_step(step)
    with torch.no_grad():
        return model.decode(codes), model.critic(model.real_images(real))


@pytest.mark.parametrize("name", ["bggan", "cggan", "lggan", "clggan"])
def test_right_after_a_growth_step_at_alpha_beta_zero_the_networks_compute_what_they_did(name):
    model = _tiny(name)
    codes, real = torch.randn(6, 8), torch.rand(6, 1, 16, 16) * 2 - 1
    done = 0
    for start in model.schedule.stage_starts()[1:]:
        _train(model, start - done, done)  # train up to the last step of the old stage
        done = start
        before = _outputs(model, start - 1, codes, real)
        assert model.schedule.state_at(start - 1).alpha == 1.0
        after = _outputs(model, start, codes, real)
        assert model.growth.stage > 0 and model.growth.alpha == 0.0 and model.growth.beta == 0.0
        assert torch.allclose(before[0], after[0], atol=1e-5), f"{name}: generator changed at step {start}"
        assert torch.allclose(before[1], after[1], atol=1e-5), f"{name}: critic changed at step {start}"
        # Not vacuous: once faded in, the new weights and layers change both networks.
        faded = _outputs(model, start + model.schedule.fade_steps, codes, real)
        assert not torch.allclose(before[0], faded[0], atol=1e-4) and not torch.allclose(before[1], faded[1], atol=1e-4)


def test_variants_grow_as_the_thesis_tables_say_and_end_at_the_same_network():
    assert channel_table(VARIANTS["cggan"], 64, 4, 4) == [[8, 8, 8, 8], [16, 16, 16, 8], [32, 32, 16, 8],
                                                          [64, 32, 16, 8]]
    assert channel_table(VARIANTS["clggan"], 64, 4, 4) == [[8, 0, 0, 0], [16, 8, 0, 0], [32, 16, 8, 0],
                                                           [64, 32, 16, 8]]
    assert channel_table(VARIANTS["lggan"], 64, 4, 4)[1] == [64, 32, 0, 0]
    finals = set()
    for name in VARIANTS:
        model = _tiny(name)
        model.on_step(10_000)
        finals.add((model.latent_dim, model.active_parameters()))
        assert model.sample(3, torch.Generator().manual_seed(0)).shape == (3, 1, 16, 16)
    assert len(finals) == 1
    clg = _tiny("clggan")
    sizes = []
    for start in clg.schedule.stage_starts():
        clg.on_step(start + (clg.schedule.fade_steps if start else 0))
        sizes.append((clg.latent_dim, clg.active_parameters()))
    assert [s[0] for s in sizes] == [2, 4, 8] and sizes[0][1] < sizes[1][1] < sizes[2][1]


def test_each_variant_name_in_a_config_builds_that_variant():
    for name, variant in VARIANTS.items():
        config = load_config("grow-fashion", [f"model.name={name}", "model.width=8"])
        assert config.model.name == name
        assert build_model(config, DataShape((1, 32, 32))).variant == variant


def test_growing_models_measure_their_latent_order_through_the_metric_registry():
    config = load_config(None, ["model.name=grow-mlp", "data.name=swissroll", "data.n_points=500"])
    model = build_model(config, data_shape_of(load_data(config)), seed=0)
    result = evaluate(EvalContext(model, config), ["latent_order"])["metrics"]
    # Before growing, z_2 is not read at all: resampling it changes nothing.
    assert result["latent_order_block_2"] == 0.0 and result["latent_order_block_1"] > 0
    model.on_step(model.config.grow_at)
    with torch.no_grad():
        model.generator.first.weight[:, 1] = 1.0
    assert evaluate(EvalContext(model, config), ["latent_order"])["metrics"]["latent_order_block_2"] > 0


def _overrides(out, extra):
    return [f"train.out={out}", "train.steps=24", "train.batch_size=8", "train.log_every=3",
            "train.sample_every=1000", "train.checkpoint_every=6", "train.keep_checkpoints=10",
            "train.progress=false", "train.device=cpu", *extra]


RESUME = {
    # Stages start at 4 and 14; the checkpoint at step 6 lies inside the first fade-in (steps 4-9).
    "clggan": ["model.name=clggan", "model.latent_dim=8", "model.width=8", "model.stages=3", "model.stable_steps=4",
               "model.fade_steps=6", "data.name=digits", "data.resize=16"],
    "cggan": ["model.name=cggan", "model.latent_dim=8", "model.width=8", "model.stages=3", "model.stable_steps=4",
              "model.fade_steps=6", "data.name=digits", "data.resize=16"],
    # A weight average of the generator, which restarts whenever a growth step changes its shapes.
    "cggan-ema": ["model.name=cggan", "model.latent_dim=8", "model.width=8", "model.stages=3", "model.stable_steps=4",
                  "model.fade_steps=6", "data.name=digits", "data.resize=16", "train.ema=0.9"],
    # clgGAN with a lens: the critic sees the stage's view of L(x), resumed inside the fade-in.
    "clggan-lens": ["model.name=clggan", "model.latent_dim=8", "model.width=8", "model.stages=3",
                    "model.stable_steps=4", "model.fade_steps=6", "data.name=digits", "data.resize=16",
                    "model.lens={k: 8, width: 4, blocks: 2}"],
    # The latent grows at step 9, between the checkpoints at 6 and 12.
    "grow-mlp": ["model.name=grow-mlp", "model.grow_at=9", "model.updates_per_batch=2", "data.name=swissroll",
                 "data.n_points=400"],
}


@pytest.mark.parametrize("case", sorted(RESUME))
def test_resume_in_the_middle_of_a_fade_in_equals_the_uninterrupted_run_bit_for_bit(tmp_path, case):
    straight = latentgan.train(load_config(None, _overrides(tmp_path / "a", RESUME[case])), log=lambda m: None)
    resumed = latentgan.train(load_config(None, _overrides(tmp_path / "b", RESUME[case])), log=lambda m: None)
    for ckpt in list_checkpoints(resumed / "checkpoints")[1:]:
        ckpt.unlink()  # keep only step 6
    lines = (resumed / "metrics.jsonl").read_text().splitlines()
    (resumed / "metrics.jsonl").write_text("\n".join(lines[:4]) + "\n")
    latentgan.resume(resumed, log=lambda m: None)

    a, b = latentgan.load(straight), latentgan.load(resumed)
    assert a.steps_done == b.steps_done == 24
    for (name, p), q in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        assert torch.equal(p, q), f"{name} differs after resume"
    ckpt_a = torch.load(straight / "checkpoints" / "step_0000024.pt", weights_only=True)
    ckpt_b = torch.load(resumed / "checkpoints" / "step_0000024.pt", weights_only=True)
    for opt, saved in ckpt_a["training"]["optimizers"].items():
        other = ckpt_b["training"]["optimizers"][opt]["state"]
        assert saved["state"].keys() == other.keys()
        assert all(torch.equal(v, other[i][k]) for i, s in saved["state"].items() for k, v in s.items())

    def losses(run):
        records = [json.loads(s) for s in (run / "metrics.jsonl").read_text().splitlines()]
        return [{k: v for k, v in r.items() if k not in ("images_per_sec", "wall_sec")} for r in records]
    assert losses(straight) == losses(resumed)


def _nearest_real_distance(model, real):
    fake = model.sample(500, torch.Generator().manual_seed(1))
    return torch.cdist(fake, real).min(dim=1).values.mean().item()


def test_a_short_grown_run_moves_the_generated_points_onto_the_swiss_roll():
    config = load_config("grow-swissroll", ["model.grow_at=60", "data.n_points=2000", "train.batch_size=64",
                                            "model.updates_per_batch=3"])
    data = load_data(config)
    model = build_model(config, data_shape_of(data), seed=0)
    real = data.x[:1000]
    before = _nearest_real_distance(model, real)
    torch.manual_seed(0)
    for step in range(120):
        model.on_step(step)
        model.training_step((real[torch.randint(0, 1000, (64,))], None, None), step)
    assert model.latent_dim == 2
    assert _nearest_real_distance(model, real) < 0.5 * before


@pytest.mark.parametrize("overrides, match", [
    (["model.name=clggan", "model.betas=[0.9]"], "two numbers"),
    (["model.name=cggan", "model.fade_steps=-1"], "fade_steps"),
    (["model.name=bgan", "model.lr=0"], "lr must be positive"),
    (["model.name=grow-mlp", "model.start_latent_dim=3"], "start_latent_dim"),
    (["model.name=grow-mlp", "model.loss=wgan-gp"], "minimax, ns or lsgan"),
    (["model.name=grow-mlp", "model.updates_per_batch=0"], "updates_per_batch"),
])
def test_bad_config_values_are_config_errors(overrides, match):
    with pytest.raises(ConfigError, match=match):
        load_config(None, overrides)


def test_shapes_the_networks_cannot_take_are_config_errors():
    with pytest.raises(ConfigError, match="divisible by 4"):
        GrowingCNNGAN(GrowingCNNConfig(name="clggan", **{**TINY, "width": 6}), IMAGES)
    with pytest.raises(ConfigError, match="power-of-two"):
        GrowingCNNGAN(GrowingCNNConfig(name="bgan", **TINY), DataShape((1, 28, 28)))
    with pytest.raises(ConfigError, match="halved"):
        GrowingCNNGAN(GrowingCNNConfig(name="lggan", **{**TINY, "stages": 4}), IMAGES)
    with pytest.raises(ConfigError, match="points"):
        build_model(load_config(None, ["model.name=grow-mlp"]), IMAGES)
