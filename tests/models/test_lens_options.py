"""The lens's unstated choices as options: reconstruction scale, identity start, LSGAN on sigmoid outputs."""

import copy

import pytest
import torch

from latentgan.api import build_model, data_shape_of, load_data
from latentgan.config import load_config
from latentgan.errors import ConfigError
from latentgan.losses import LENS_ADVERSARIAL, get_loss

TINY = ["model.width=8", "model.latent_dim=8", "data.name=digits", "data.resize=28", "train.batch_size=16"]


@pytest.fixture(autouse=True)
def _one_thread():
    torch.set_num_threads(1)


def _model(lens, *extra, seed=0):
    config = load_config(None, [*TINY, f"model.lens={lens}", *extra])
    data = load_data(config)
    return build_model(config, data_shape_of(data), seed=seed), data.batch(torch.arange(16))[0]


def test_sum_reconstruction_is_the_mean_times_the_pixel_count():
    mean, x = _model("{k: 20, width: 4, blocks: 2}")
    summed, _ = _model("{k: 20, width: 4, blocks: 2, reconstruction: sum}")
    # Same seed: same lens weights; past K only the reconstruction term is left.
    a = mean.lens_step(x, mean.lens(x), 10**6)["lens_recon"].item()
    b = summed.lens_step(x, summed.lens(x), 10**6)["lens_recon"].item()
    assert a > 0 and b == pytest.approx(a * x[0].numel(), rel=1e-5)


def test_identity_init_gives_the_identity_at_step_zero_and_still_trains():
    model, x = _model("{k: 20, width: 4, blocks: 2, init: identity}")
    with torch.no_grad():
        assert torch.equal(model.lens(x), x)
    xavier, _ = _model("{k: 20, width: 4, blocks: 2}")
    with torch.no_grad():
        assert not torch.allclose(xavier.lens(x), x, atol=1e-3)
    before = copy.deepcopy(model.lens.state_dict())
    model.lens_step(x, model.lens(x), 0)  # lambda = 1: the adversarial term moves the zeroed conv off zero
    assert not torch.equal(before["tail.weight"], model.lens.tail.weight)


def test_lsgan_sigmoid_squares_sigmoid_outputs_and_saturates():
    loss = get_loss("lsgan-sigmoid")
    real, fake = torch.tensor([0.0]), torch.tensor([0.0])
    assert loss.discriminator(real, fake).item() == pytest.approx(0.25)  # 0.5*0.25 + 0.5*0.25
    assert loss.generator(fake).item() == pytest.approx(0.125)
    # A confidently rejected fake (logit -20) gives G almost no gradient, unlike LSGAN on logits.
    for name, bound in (("lsgan-sigmoid", 1e-6), ("lsgan", None)):
        score = torch.tensor([-20.0], requires_grad=True)
        get_loss(name).generator(score).backward()
        assert (abs(score.grad.item()) < bound) if bound else abs(score.grad.item()) > 1.0
    assert LENS_ADVERSARIAL["lsgan-sigmoid"](torch.tensor([0.0])).item() == pytest.approx(0.25)


def test_gan_trains_a_step_with_lsgan_sigmoid():
    model, x = _model("{k: 20, width: 4, blocks: 2}", "model.loss=lsgan-sigmoid")
    logs = model.training_step((x,), 0)
    assert all(torch.isfinite(v).all() for v in logs.values())


@pytest.mark.parametrize("override, message", [
    ("model.lens.reconstruction=max", r"model.lens.reconstruction 'max' is unknown; choose one of: mean, sum"),
    ("model.lens.init=zeros", r"model.lens.init 'zeros' is unknown; choose one of: xavier, identity"),
    ("model.loss=lsgan-tanh", r"model.loss 'lsgan-tanh' is unknown; choose one of: .*lsgan-sigmoid"),
])
def test_bad_option_values_are_one_clear_error(override, message):
    with pytest.raises(ConfigError, match=message) as err:
        load_config(None, [*TINY, "model.lens={k: 20}", override])
    assert "\n" not in str(err.value)
