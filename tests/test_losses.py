import pytest
import torch

from latentgan.losses import LOSSES, get_loss, gradient_penalty


def test_logistic_losses_match_their_probability_form():
    real, fake = torch.tensor([1.5, -0.3]), torch.tensor([0.2, -2.0])
    d = LOSSES["ns"].discriminator(real, fake)
    expected = -(torch.sigmoid(real).log().mean() + (1 - torch.sigmoid(fake)).log().mean())
    assert torch.allclose(d, expected, atol=1e-6)
    assert torch.allclose(LOSSES["ns"].generator(fake), -torch.sigmoid(fake).log().mean(), atol=1e-6)
    assert torch.allclose(LOSSES["minimax"].generator(fake), (1 - torch.sigmoid(fake)).log().mean(), atol=1e-6)


def test_least_squares_and_wasserstein_values():
    real, fake = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 2.0])
    assert LOSSES["lsgan"].discriminator(real, fake).item() == pytest.approx(0.5 * 0.5 + 0.5 * 2.0)
    assert LOSSES["lsgan"].generator(fake).item() == pytest.approx(0.5 * (1 + 1) / 2)
    assert LOSSES["wgan-gp"].discriminator(real, fake).item() == pytest.approx(1.0 - 0.5)
    assert LOSSES["wgan-gp"].needs_gradient_penalty and not LOSSES["ns"].needs_gradient_penalty


def test_unknown_loss_names_the_choices():
    with pytest.raises(ValueError, match="ns, lsgan"):
        get_loss("hinge2")


def test_gradient_penalty_is_zero_for_unit_slope_critic_and_positive_otherwise():
    real, fake = torch.randn(16, 3), torch.randn(16, 3)
    w = torch.tensor([1.0, 0.0, 0.0])
    assert gradient_penalty(lambda x: x @ w, real, fake).item() == pytest.approx(0.0, abs=1e-10)
    assert gradient_penalty(lambda x: 3 * (x @ w), real, fake).item() == pytest.approx(4.0)


def test_gradient_penalty_reaches_critic_parameters():
    critic = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    gradient_penalty(critic, torch.randn(8, 2), torch.randn(8, 2)).backward()
    # Every weight shapes the input gradient (the output bias does not, so it gets none).
    weights = [critic[0].weight, critic[0].bias, critic[2].weight]
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in weights)
