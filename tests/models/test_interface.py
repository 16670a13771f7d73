"""The declared model interface: checked, gradient-free encode/decode/reconstruct/interpolate and capabilities."""

import numpy as np
import pytest
import torch

from latentgan.api import build_model
from latentgan.config import load_config
from latentgan.errors import CapabilityError, InputError, LatentganError
from latentgan.models.base import DataShape

DIGITS = DataShape((1, 28, 28), (-1.0, 1.0), 10)


def _model(*overrides, shape=DIGITS):
    config = load_config(None, ["data.name=mnist5k", "train.device=cpu", *overrides])
    return build_model(config, shape, seed=0).eval()


@pytest.fixture(scope="module")
def ali():
    return _model("model.name=ali", "model.width_scale=0.0625", "model.latent_dim=16", "model.init=default")


def test_encode_and_decode_are_detached_and_shaped(ali):
    x = torch.rand(3, 1, 28, 28) * 2 - 1
    codes = ali.encode(x)
    assert codes.shape == (3, ali.latent_dim) and not codes.requires_grad
    images = ali.decode(codes)
    assert images.shape == (3, 1, 28, 28) and not images.requires_grad
    assert ali.reconstruct(x).shape == (3, 1, 28, 28)
    np.savez(__import__("io").BytesIO(), codes=codes.numpy())  # the failure: numpy() on a grad tensor


def test_uint8_images_are_scaled_into_the_models_range(ali):
    pixels = torch.randint(0, 256, (2, 1, 28, 28), dtype=torch.uint8)
    scaled = pixels.float() / 255 * 2 - 1
    torch.testing.assert_close(ali.encode(pixels), ali.encode(scaled))


@pytest.mark.parametrize("x, message", [
    (torch.zeros(4, 1, 64, 64), r"\(N, 1, 28, 28\).*got \(4, 1, 64, 64\).*resize them to 28x28"),
    (torch.zeros(4, 3, 28, 28), r"\(N, 1, 28, 28\).*convert the images to grayscale"),
    (torch.zeros(1, 28, 28), r"add the batch dimension"),
    (torch.full((2, 1, 28, 28), 200.0), r"values in \[-1, 1\].*pass them as uint8"),
    (torch.zeros(2, 1, 28, 28, dtype=torch.int64), r"float in \[-1, 1\] or uint8"),
])
def test_bad_inputs_end_in_one_error_naming_the_expected_shape_or_range(ali, x, message):
    with pytest.raises(InputError, match=message):
        ali.encode(x)


def test_codes_of_the_wrong_length_are_refused(ali):
    with pytest.raises(InputError, match=r"codes of shape \(N, 16\); got \(2, 5\)"):
        ali.decode(torch.zeros(2, 5))


def test_interpolation_runs_between_the_two_examples_codes(ali):
    a, b = torch.rand(1, 28, 28) * 2 - 1, torch.rand(1, 1, 28, 28) * 2 - 1
    for mode in ("linear", "slerp"):
        strip = ali.interpolate(a, b, steps=5, mode=mode)
        assert strip.shape == (5, 1, 28, 28)
        torch.testing.assert_close(strip[0], ali.decode(ali.encode(a[None]))[0])
    with pytest.raises(InputError, match="choose one of linear, slerp"):
        ali.interpolate(a, b, steps=5, mode="cubic")


def test_a_sample_only_model_says_what_it_lacks():
    gan = _model("model.name=gan", "model.width=8", "model.latent_dim=12")
    assert gan.encoding is None and gan.can("decode") and not gan.can("encode")
    with pytest.raises(CapabilityError, match="the gan model has no encoder") as error:
        gan.encode(torch.zeros(1, 1, 28, 28))
    assert isinstance(error.value, NotImplementedError) and isinstance(error.value, LatentganError)
    with pytest.raises(CapabilityError, match="classifier"):
        gan.classify(torch.zeros(1, 1, 28, 28))


def test_capabilities_are_declared(ali):
    glo = _model("model.name=glo", "model.width=8", "model.latent_dim=8")
    assert (ali.encoding, glo.encoding) == ("forward", "optimisation")
    assert ali.can("probe_features") and not glo.can("probe_features") and not ali.conditional
    assert glo.supports_compile and ali.training_codes() is None
    wgan = _model("model.name=gan", "model.width=8", "model.loss=wgan-gp")
    assert wgan.needs_gradient_penalty and not wgan.supports_compile and "WGAN-GP" in wgan.compile_refusal


def test_random_codes_follow_the_prior_and_the_generator(ali):
    first = ali.random_codes(4, torch.Generator().manual_seed(3))
    assert first.shape == (4, 16)
    torch.testing.assert_close(first, ali.random_codes(4, torch.Generator().manual_seed(3)))
    torch.testing.assert_close(ali.prior(4, torch.Generator().manual_seed(3)), first)  # the older name


def test_training_keeps_gradients_after_public_calls(ali):
    """The public methods switch gradients off only inside themselves; a training step still learns."""
    model = _model("model.name=ali", "model.width_scale=0.0625", "model.latent_dim=16", "model.init=default").train()
    before = [p.detach().clone() for p in model.decoder.parameters()]
    model.decode(torch.zeros(2, 16))
    model.training_step((torch.rand(8, 1, 28, 28) * 2 - 1, torch.zeros(8, dtype=torch.long), torch.arange(8)), 0)
    assert any(not torch.equal(b, p) for b, p in zip(before, model.decoder.parameters(), strict=True))
