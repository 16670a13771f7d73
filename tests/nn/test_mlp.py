import pytest
import torch
from torch import nn

from latentgan.nn import MLP, Maxout


@pytest.mark.parametrize("hidden", [(), (16,), (32, 16)])
@pytest.mark.parametrize("maxout_pieces", [0, 2])
def test_output_and_feature_shapes(hidden, maxout_pieces):
    mlp = MLP(5, 3, hidden=hidden, maxout_pieces=maxout_pieces)
    x = torch.randn(7, 5)
    assert mlp(x).shape == (7, 3)
    assert mlp.features(x).shape == (7, hidden[-1] if hidden else 5)
    assert mlp.feature_dim == (hidden[-1] if hidden else 5)


def test_flattens_image_input():
    assert MLP(2 * 4 * 4, 1, hidden=(8,))(torch.randn(3, 2, 4, 4)).shape == (3, 1)


def test_wrong_input_size_errors_clearly():
    with pytest.raises(ValueError, match="expects 5 input features, got 6"):
        MLP(5, 1)(torch.randn(2, 6))


def test_maxout_layers_produce_k_times_the_units():
    mlp = MLP(4, 2, hidden=(10,), maxout_pieces=3)
    assert mlp.hidden[0][0].out_features == 30
    assert any(isinstance(m, Maxout) for m in mlp.modules())
    assert not any(isinstance(m, nn.LeakyReLU) for m in mlp.modules())


def test_batch_norm_dropout_and_out_activation_are_placed():
    mlp = MLP(4, 2, hidden=(8, 8), batch_norm=True, dropout=0.3, out_activation="sigmoid")
    kinds = {type(m) for m in mlp.modules()}
    assert {nn.BatchNorm1d, nn.Dropout, nn.Sigmoid} <= kinds
    out = mlp.eval()(torch.randn(5, 4))
    assert torch.all((out > 0) & (out < 1))
    assert not any(isinstance(m, nn.BatchNorm1d) for m in MLP(4, 2).modules())


def test_gradients_reach_every_parameter():
    mlp = MLP(4, 2, hidden=(8, 8), batch_norm=True, maxout_pieces=2)
    mlp(torch.randn(6, 4)).square().sum().backward()
    for name, p in mlp.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), name
