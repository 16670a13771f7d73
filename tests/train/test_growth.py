import pytest

from latentgan.errors import ConfigError
from latentgan.growth import GrowthSchedule, GrowthState, Stage, doubling_stages


def test_stage_starts_and_total_follow_the_thesis_recipe():
    # Stage 0 trains S steps; each later stage fades in over F steps and then trains S more (44 = 4 + 5 * 8 epochs).
    schedule = GrowthSchedule([Stage(8 * 2**k) for k in range(6)], stable_steps=4, fade_steps=4)
    assert schedule.stage_starts() == [0, 4, 12, 20, 28, 36]
    assert schedule.total_steps == 44


def test_alpha_beta_tau_ramp_linearly_inside_a_fade_in_and_hold_afterwards():
    schedule = GrowthSchedule([Stage(8), Stage(16), Stage(32)], stable_steps=10, fade_steps=4)
    assert schedule.state_at(0) == GrowthState(0, 1.0, 1.0, 0.5)
    assert schedule.state_at(9).stage == 0
    assert schedule.state_at(10) == GrowthState(1, 0.0, 0.0, 0.0)  # the first step of stage 1 computes the old net
    assert schedule.state_at(12) == GrowthState(1, 0.5, 0.5, 0.25)
    assert schedule.state_at(14) == GrowthState(1, 1.0, 1.0, 0.5)
    assert not schedule.state_at(14).fading and schedule.state_at(13).fading
    assert schedule.state_at(24).stage == 2 and schedule.state_at(24).alpha == 0.0
    assert schedule.state_at(10_000) == GrowthState(2, 1.0, 1.0, 0.5)  # past the end: the last stage, fully in


def test_zero_fade_steps_switch_at_once():
    schedule = GrowthSchedule([Stage(1), Stage(2)], stable_steps=5, fade_steps=0)
    assert [schedule.state_at(s).stage for s in range(4, 7)] == [0, 1, 1]
    assert schedule.state_at(5).alpha == 1.0


def test_doubling_stages_grow_latent_and_or_resolution():
    assert doubling_stages(4, 64, 32, True, True) == [Stage(8, 4), Stage(16, 8), Stage(32, 16), Stage(64, 32)]
    assert doubling_stages(3, 64, 32, False, True) == [Stage(64, 8), Stage(64, 16), Stage(64, 32)]
    assert doubling_stages(2, 2, None, True, False) == [Stage(1), Stage(2)]
    assert doubling_stages(1, 64, 32, False, False) == [Stage(64, 32)]


@pytest.mark.parametrize("args, match", [
    ((4, 12, 32, True, True), "cannot be halved"),
    ((5, 64, 32, True, True), "down to >= 4 px"),
    ((0, 64, 32, True, True), "at least 1"),
])
def test_impossible_stage_lists_are_config_errors(args, match):
    with pytest.raises(ConfigError, match=match):
        doubling_stages(*args)


def test_bad_schedule_lengths_are_config_errors():
    with pytest.raises(ConfigError, match="stable_steps >= 1"):
        GrowthSchedule([Stage(8)], stable_steps=0, fade_steps=1)
    with pytest.raises(ConfigError, match="at least one stage"):
        GrowthSchedule([], stable_steps=1, fade_steps=1)
