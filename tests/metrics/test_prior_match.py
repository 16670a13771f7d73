import pytest
import torch

from latentgan.metrics.prior_match import gaussian_kl_to_standard_normal


def test_kl_is_near_zero_for_standard_normal_codes_and_grows_with_shift_and_scale():
    z = torch.randn(20_000, 2, generator=torch.Generator().manual_seed(0))
    assert gaussian_kl_to_standard_normal(z) < 1e-3
    # closed form for N(1, I) and N(0, 4 I) in 2-D: 0.5 * |mu|^2 = 1; 0.5 * (8 - 2 - 2 log 4) = 1.61
    assert gaussian_kl_to_standard_normal(z + 1) == pytest.approx(1.0, abs=0.03)
    assert gaussian_kl_to_standard_normal(2 * z) == pytest.approx(3 - 2 * torch.log(torch.tensor(2.0)).item(), abs=0.05)


def test_too_few_codes_are_refused():
    with pytest.raises(ValueError, match="N > d"):
        gaussian_kl_to_standard_normal(torch.randn(3, 8))
