import pytest
import torch

from latentgan.nn.in_batches import map_in_batches


def test_map_in_batches_equals_one_call_and_builds_no_graph():
    net = torch.nn.Linear(3, 2)
    x = torch.randn(1001, 3)
    out = map_in_batches(net, x, batch_size=100)
    assert torch.allclose(out, net(x)) and not out.requires_grad


def test_map_in_batches_refuses_a_zero_batch():
    with pytest.raises(ValueError, match="batch_size"):
        map_in_batches(torch.nn.Identity(), torch.zeros(3, 1), batch_size=0)
