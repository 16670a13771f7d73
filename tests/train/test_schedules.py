import math

import pytest

from latentgan.train.schedules import linear_ramp, sine_decay, stage_at


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
