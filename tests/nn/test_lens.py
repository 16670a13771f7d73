import pytest
import torch

from latentgan.nn import Lens


@pytest.mark.parametrize("shape", [(2, 1, 28, 28), (2, 3, 32, 32), (1, 2, 7, 5)])
def test_lens_maps_data_space_to_itself_for_any_channel_count(shape):
    lens = Lens(shape[1], width=4, blocks=2)
    assert lens(torch.randn(shape)).shape == shape


def test_lens_has_eight_residual_blocks_of_3x3_stride_1_convs_by_default():
    lens = Lens(1)
    convs = [m for m in lens.modules() if isinstance(m, torch.nn.Conv2d)]
    assert len(lens.blocks) == 8 and len(convs) == 2 * 8 + 2
    assert all(c.kernel_size == (3, 3) and c.stride == (1, 1) for c in convs)


def test_skip_from_input_to_output_makes_a_zero_residual_the_identity():
    lens = Lens(3, width=4, blocks=2)
    torch.nn.init.zeros_(lens.tail.weight)
    torch.nn.init.zeros_(lens.tail.bias)
    x = torch.randn(2, 3, 8, 8)
    assert torch.equal(lens(x), x)


def test_lens_refuses_images_with_the_wrong_channel_count():
    with pytest.raises(ValueError, match=r"\(N, 1, H, W\)"):
        Lens(1, width=4, blocks=1)(torch.randn(2, 3, 8, 8))


def test_lens_trained_only_on_reconstruction_becomes_near_identity():
    # lambda = 0 leaves only ||x - L(x)||^2: a few hundred steps on tiny images bring L close to the identity.
    torch.set_num_threads(1)  # tiny convs: a second thread only adds waiting on a busy machine
    torch.manual_seed(0)
    lens = Lens(1, width=8, blocks=8)
    opt = torch.optim.Adam(lens.parameters(), 1e-3)
    x_test = torch.rand(64, 1, 8, 8) * 2 - 1
    before = (lens(x_test) - x_test).pow(2).mean().item()
    for _ in range(300):
        x = torch.rand(32, 1, 8, 8) * 2 - 1
        loss = (lens(x) - x).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        after = (lens(x_test) - x_test).pow(2).mean().item()
    assert after < 1e-3 and after < before / 50, (before, after)
