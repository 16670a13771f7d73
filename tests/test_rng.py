"""Random draws with a generator of another device than the tensor they fill (the GLO-on-CUDA crash's kind).

A CPU-only machine has one real device, so the CUDA rule ("a generator fills only tensors of its own device") is
enforced here by `strict_generators`, and the second device is 'meta': a CPU generator filling a model's tensors
on 'meta' stands for a CPU generator and a model on the GPU; `MetaGenerator` (a CPU generator that reports 'meta')
stands for a CUDA generator given to code that works on the CPU. Each test fails on the code before the fix.
"""

from __future__ import annotations

import pytest
import torch

from latentgan import rng
from latentgan.data.transforms import TransformConfig, affine_transform, colour_jitter, gaussian_shift
from latentgan.devices import select_device
from latentgan.errors import ConfigError
from latentgan.losses import gradient_penalty
from latentgan.nn.priors import sample_prior
from latentgan.samplers import fit_gaussian

META = torch.device("meta")


class MetaGenerator(torch.Generator):
    """A CPU generator that says it lives on 'meta' (standing in for a CUDA generator)."""

    @property
    def device(self) -> torch.device:
        return META


def _target(args, kwargs, first_tensor: bool) -> torch.device:
    if first_tensor:
        return args[0].device
    return torch.device(kwargs.get("device") or "cpu")


@pytest.fixture
def strict_generators(monkeypatch):
    """Make torch's CPU draws refuse a generator of another device type, as CUDA does."""
    for name, first_tensor in (("randn", False), ("rand", False), ("randint", False), ("randperm", False),
                               ("multinomial", True)):
        real = getattr(torch, name)

        def strict(*args, _real=real, _first=first_tensor, **kwargs):
            generator = kwargs.get("generator")
            target = _target(args, kwargs, _first)
            if generator is not None and generator.device.type != target.type:
                raise RuntimeError(f"Expected a '{target.type}' device type for generator but found "
                                   f"'{generator.device.type}'")
            return _real(*args, **kwargs)

        monkeypatch.setattr(torch, name, strict)


def test_strict_generators_reproduce_the_cuda_refusal(strict_generators):
    with pytest.raises(RuntimeError, match="device type for generator"):
        torch.randn(3, device="meta", generator=torch.Generator())


def test_draw_device_is_the_generators():
    assert rng.draw_device(None, "meta") == META
    assert rng.draw_device(torch.Generator(), "meta") == torch.device("cpu")
    assert rng.draw_device(MetaGenerator(), "cpu") == META


def test_rng_draws_on_the_generators_device_and_moves(strict_generators):
    g = torch.Generator().manual_seed(0)
    for drawn in (rng.randn((2, 3), g, META), rng.rand((4,), g, META), rng.randint(0, 5, (3,), g, META),
                  rng.randperm(6, g, META)):
        assert drawn.device == META
    assert rng.multinomial(torch.ones(3, device=META), 4, MetaGenerator()).device == META
    # Same values as a plain CPU draw from the same seed: moving the draw changes no result on one device.
    assert torch.equal(rng.randn((5,), torch.Generator().manual_seed(3)),
                       torch.randn(5, generator=torch.Generator().manual_seed(3)))


def test_gaussian_sampler_takes_a_generator_of_another_device(strict_generators):
    # The H200 crash: GLO's sampler (CPU tensors) was given the CUDA generator of the sample grids.
    sampler = fit_gaussian(torch.randn(50, 3, generator=torch.Generator().manual_seed(0)))
    codes = sampler.sample(7, MetaGenerator().manual_seed(1))
    assert codes.shape == (7, 3) and codes.device == META
    assert sampler.sample(7, torch.Generator().manual_seed(1)).device == torch.device("cpu")


def test_gaussian_sampler_values_unchanged_on_the_cpu():
    sampler = fit_gaussian(torch.randn(50, 3, generator=torch.Generator().manual_seed(0)))
    g = torch.Generator().manual_seed(1)
    component = torch.multinomial(sampler.weights.float(), 7, replacement=True, generator=g)
    eps = torch.randn(7, 3, generator=g, dtype=sampler.means.dtype)
    expected = sampler.means[component] + (sampler.cholesky[component] @ eps.unsqueeze(-1)).squeeze(-1)
    assert torch.equal(sampler.sample(7, torch.Generator().manual_seed(1)), expected)


@pytest.mark.parametrize("prior", ["normal", "uniform"])
def test_prior_on_another_device_than_the_generator(strict_generators, prior):
    z = sample_prior(prior, 4, 3, device=META, generator=torch.Generator().manual_seed(0))
    assert z.shape == (4, 3) and z.device == META


def test_transforms_on_another_device_than_the_generator(strict_generators):
    g = torch.Generator().manual_seed(0)
    x = torch.zeros(2, 3, 8, 8, device=META)
    cfg = TransformConfig(shift=2, rotate=10.0, flip=True, brightness=0.1, contrast=0.1, hue=0.1)
    assert affine_transform(x, cfg, background=-1.0, generator=g).device == META
    assert colour_jitter(x, cfg, (-1.0, 1.0), generator=g).device == META
    assert gaussian_shift(torch.zeros(5, 2, device=META), torch.eye(2), generator=g).device == META


def test_gradient_penalty_interpolates_with_a_generator_of_another_device(strict_generators):
    # The penalty's eps on 'meta' is enough to show the draw is accepted; the critic is shape-only there.
    real = torch.zeros(4, 2, device=META)
    penalty = gradient_penalty(lambda x: x.sum(dim=1), real, real.clone(), generator=torch.Generator())
    assert penalty.device == META


@pytest.mark.parametrize("name", ["gpu", "tpu", "cuda:x"])
def test_select_device_refuses_unknown_names(name):
    with pytest.raises(ConfigError, match="device"):
        select_device(name)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
@pytest.mark.parametrize("name", ["cuda", "cuda:0"])
def test_select_device_names_the_missing_gpu(name):
    with pytest.raises(ConfigError, match="no CUDA GPU is visible"):
        select_device(name)


@pytest.mark.skipif(torch.backends.mps.is_available(), reason="needs a machine without MPS")
def test_select_device_names_missing_mps():
    with pytest.raises(ConfigError, match="MPS"):
        select_device("mps")


def test_select_device_auto_and_cpu():
    assert select_device("cpu") == torch.device("cpu")
    assert select_device(torch.device("cpu")) == torch.device("cpu")
    assert select_device("auto").type in ("cpu", "cuda")


@pytest.mark.parametrize("command", [["sample", "RUN", "--out", "x.png"], ["eval", "RUN"], ["explore", "RUN"],
                                     ["train", "--model", "gan", "--data", "ring", "--steps", "1"]])
def test_cli_device_error_is_one_message(command, tmp_path, capsys):
    from latentgan.cli import main

    args = [str(tmp_path / "run") if a == "RUN" else a for a in command]
    if command[0] == "train":
        args += ["--set", f"train.out={tmp_path / 'run'}"]
    assert main([*args, "--device", "mps" if torch.cuda.is_available() else "cuda"]) == 2
    err = capsys.readouterr().err
    assert "device" in err and "Traceback" not in err
