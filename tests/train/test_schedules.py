import math

import pytest

from latentgan.schedules import linear_ramp, lr_decay, sine_decay, stage_at


def test_linear_ramp_goes_from_zero_to_one():
    assert linear_ramp(5, start=10, length=10) == 0.0
    assert linear_ramp(15, start=10, length=10) == pytest.approx(0.5)
    assert linear_ramp(30, start=10, length=10) == 1.0


def test_sine_decay_is_the_lens_schedule():
    k = 1000
    assert sine_decay(0, k) == 1.0
    assert sine_decay(k // 2, k) == pytest.approx(1 - math.sin(math.pi / 4))
    assert sine_decay(k, k) == 0.0 and sine_decay(5 * k, k) == 0.0


def test_stage_at_counts_passed_boundaries():
    assert [stage_at(s, [10, 20]) for s in (0, 9, 10, 19, 20, 99)] == [0, 0, 1, 1, 2, 2]


def test_lr_decay_holds_then_falls_to_zero_at_the_last_step():
    assert [lr_decay("linear", s, 100, 300) for s in (0, 100, 200, 300)] == [1.0, 1.0, 0.5, 0.0]
    assert lr_decay("cosine", 200, 100, 300) == pytest.approx(0.5) and lr_decay("cosine", 300, 100, 300) == 0.0
    assert lr_decay("none", 299, 0, 300) == 1.0


def test_training_with_lr_decay_ends_near_zero_rate_and_bad_values_are_refused(tmp_path):
    import latentgan
    from latentgan.config import load_config
    from latentgan.errors import ConfigError

    overrides = ["model.latent_dim=2", "model.hidden=[16]", "model.lr_g=0.001", "data.name=ring",
                 "data.n_points=500", "train.steps=40", "train.progress=false", "train.device=cpu",
                 "train.sample_every=1000", "train.lr_decay=linear", "train.lr_decay_start=20"]
    from latentgan.checkpoint import load_latest_checkpoint
    from latentgan.train.run_dir import checkpoints_dir

    run = latentgan.train(load_config(None, overrides), out=tmp_path / "run", log=lambda m: None)
    group = load_latest_checkpoint(checkpoints_dir(run))["training"]["optimizers"]["generator"]["param_groups"][0]
    # the last step ran at step 39: 0.001 * (1 - 19/20)
    assert group["initial_lr"] == 0.001 and group["lr"] == pytest.approx(0.001 / 20)
    for bad, message in (("train.lr_decay=step", "train.lr_decay"), ("train.lr_decay_start=40", "lr_decay_start")):
        with pytest.raises(ConfigError, match=message):
            load_config(None, [*overrides, bad])
