import pytest
import torch
from torch import nn

from latentgan.nn import RESOLUTIONS, DCGANDiscriminator, DCGANEncoder, DCGANGenerator, Maxout

SHAPES = [(r, c, w) for r in RESOLUTIONS for c in (1, 3) for w in (4, 8)]


def _assert_grads(module: nn.Module) -> None:
    for name, p in module.named_parameters():
        assert p.grad is not None, f"no gradient for {name}"
        assert torch.isfinite(p.grad).all(), f"non-finite gradient for {name}"


def _has_batch_norm(module: nn.Module) -> bool:
    return any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in module.modules())


@pytest.mark.parametrize(("resolution", "channels", "width"), SHAPES)
def test_output_shapes(resolution, channels, width):
    z = torch.randn(2, 6)
    x = DCGANGenerator(6, channels, resolution, width)(z)
    assert x.shape == (2, channels, resolution, resolution)
    d = DCGANDiscriminator(channels, resolution, width, out_dim=3)
    assert d(x).shape == (2, 3)
    assert d.features(x).shape == (2, d.feature_dim)
    assert DCGANEncoder(channels, resolution, latent_dim=6, width=width)(x).shape == (2, 6)


@pytest.mark.parametrize(("resolution", "feature_dim"), [(28, 2 * 8 * 7 * 7), (32, 4 * 8 * 4 * 4), (64, 8 * 8 * 4 * 4)])
def test_discriminator_feature_dim_follows_the_plan(resolution, feature_dim):
    assert DCGANDiscriminator(1, resolution, width=8).feature_dim == feature_dim


def test_default_width_at_64_pixels():
    g, d = DCGANGenerator(100, 3, 64), DCGANDiscriminator(3, 64)
    assert g.net[0].conv.out_channels == 512  # 8 * width at 4x4, halving on the way up
    assert d(g(torch.randn(2, 100))).shape == (2, 1)


def test_generator_layout_and_output_range():
    g = DCGANGenerator(8, 1, 28, width=16)
    assert [b.conv.out_channels for b in g.net] == [32, 16, 1]
    assert not hasattr(g.net[-1], "norm")  # no norm at the output
    assert any(isinstance(m, nn.ReLU) for m in g.modules())
    x = g(torch.randn(4, 8))
    assert x.abs().max() <= 1
    assert DCGANGenerator(8, out_activation="sigmoid")(torch.randn(2, 8)).min() >= 0


def test_generator_accepts_4d_codes_and_checks_size():
    g = DCGANGenerator(8, width=4)
    assert g(torch.randn(2, 8, 1, 1)).shape == (2, 1, 28, 28)
    with pytest.raises(ValueError, match=r"z of shape \(N, 8\)"):
        g(torch.randn(2, 9))


def test_discriminator_has_no_norm_on_first_conv():
    d = DCGANDiscriminator(width=8)
    assert not hasattr(d.trunk[0], "norm")
    assert isinstance(d.trunk[1].norm, nn.BatchNorm2d)


@pytest.mark.parametrize("cls", [DCGANGenerator, DCGANDiscriminator, DCGANEncoder])
def test_batch_norm_false_has_no_batch_norm(cls):
    kwargs = {"latent_dim": 4} if cls is DCGANGenerator else {}
    assert _has_batch_norm(cls(width=4, **kwargs))
    assert not _has_batch_norm(cls(width=4, batch_norm=False, **kwargs))
    assert not _has_batch_norm(cls(width=4, norm=None, **kwargs))


@pytest.mark.parametrize(("norm", "kind"), [("layer", nn.GroupNorm), ("instance", nn.InstanceNorm2d)])
def test_discriminator_norm_option(norm, kind):
    d = DCGANDiscriminator(width=4, norm=norm)
    assert not _has_batch_norm(d)
    assert any(isinstance(m, kind) for m in d.modules())


@pytest.mark.parametrize("cls", [DCGANGenerator, DCGANDiscriminator, DCGANEncoder])
def test_bad_resolution_names_the_allowed_ones(cls):
    kwargs = {"latent_dim": 4} if cls is DCGANGenerator else {}
    with pytest.raises(ValueError, match="support resolution 28, 32, 64, 128; got 48"):
        cls(resolution=48, **kwargs)


def test_wrong_image_shape_errors_with_expected_shape():
    with pytest.raises(ValueError, match=r"expects images \(N, 3, 32, 32\), got \(2, 1, 32, 32\)"):
        DCGANDiscriminator(3, 32, width=4)(torch.randn(2, 1, 32, 32))


def test_maxout_discriminator():
    d = DCGANDiscriminator(3, 32, width=4, maxout_pieces=2, dropout=0.5, batch_norm=False)
    assert d.trunk[0].conv.out_channels == 8
    assert sum(isinstance(m, Maxout) for m in d.modules()) == 3
    assert not any(isinstance(m, nn.LeakyReLU) for m in d.modules())
    assert d(torch.randn(2, 3, 32, 32)).shape == (2, 1)


def test_spectral_norm_discriminator_bounds_weights():
    d = DCGANDiscriminator(width=4, spectral_norm=True, batch_norm=False)
    for _ in range(30):  # power iteration converges during training-mode forwards
        d(torch.randn(2, 1, 28, 28))
    w = d.head[1].weight
    assert torch.linalg.matrix_norm(w, ord=2).item() == pytest.approx(1.0, rel=0.05)


@pytest.mark.parametrize("norm", [None, "layer", "instance"])
def test_discriminator_supports_double_backward(norm):
    torch.manual_seed(0)
    d = DCGANDiscriminator(3, 32, width=4, norm=norm, maxout_pieces=2 if norm is None else 0)
    x = torch.randn(3, 3, 32, 32, requires_grad=True)
    (grad,) = torch.autograd.grad(d(x).sum(), x, create_graph=True)
    penalty = (grad.flatten(1).norm(dim=1) - 1).square().mean()
    penalty.backward()
    for name, p in d.named_parameters():
        # A piecewise-linear net's input gradient does not depend on its biases, so they may get none.
        assert p.grad is not None or name.endswith("bias"), f"no second-order gradient for {name}"
        assert p.grad is None or torch.isfinite(p.grad).all(), name


def test_gradients_reach_every_parameter():
    g, d = DCGANGenerator(8, 3, 32, width=4), DCGANDiscriminator(3, 32, width=4, dropout=0.2)
    e = DCGANEncoder(3, 32, latent_dim=8, width=4)
    x = g(torch.randn(4, 8))
    (d(x).mean() + e(x).square().mean()).backward()
    for net in (g, d, e):
        _assert_grads(net)


def test_stochastic_encoder_split_and_rsample():
    e = DCGANEncoder(1, 28, latent_dim=5, width=4, stochastic=True)
    out = e(torch.randn(3, 1, 28, 28))
    assert out.shape == (3, 10)
    mu, log_sigma = e.split(out)
    assert mu.shape == log_sigma.shape == (3, 5)
    assert torch.equal(torch.cat([mu, log_sigma], 1), out)
    z1 = e.rsample(out, generator=torch.Generator().manual_seed(1))
    z2 = e.rsample(out, generator=torch.Generator().manual_seed(1))
    assert z1.shape == (3, 5) and torch.equal(z1, z2)
    with pytest.raises(ValueError, match=r"stochastic output \(N, 10\)"):
        e.split(mu)


def test_tiny_gan_takes_one_adam_step():
    torch.manual_seed(0)
    g, d = DCGANGenerator(8, 1, 28, width=4), DCGANDiscriminator(1, 28, width=4)
    opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real, z = torch.rand(8, 1, 28, 28) * 2 - 1, torch.randn(8, 8)
    bce = nn.functional.binary_cross_entropy_with_logits
    before = [p.clone() for p in d.parameters()]
    d_loss = bce(d(real), torch.ones(8, 1)) + bce(d(g(z).detach()), torch.zeros(8, 1))
    opt_d.zero_grad()
    d_loss.backward()
    opt_d.step()
    assert any(not torch.equal(a, b) for a, b in zip(before, d.parameters(), strict=True))
    g_loss = bce(d(g(z)), torch.ones(8, 1))
    opt_g.zero_grad()
    g_loss.backward()
    opt_g.step()
    assert torch.isfinite(d_loss) and torch.isfinite(g_loss)
