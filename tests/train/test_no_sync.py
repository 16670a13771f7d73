"""A training step reads nothing back to the host: the data order on the device, losses kept as tensors."""

from __future__ import annotations

import pytest
import torch

from latentgan.data import IndexBatcher
from latentgan.data.transforms import gaussian_shift, isotropic_shift
from tests.conftest import load_script

check_no_sync = load_script("check_no_sync")


def test_epoch_order_lives_on_the_data_device():
    # 'meta' stands for the GPU: the batch index must already be there, not copied from the CPU each step.
    batcher = IndexBatcher(10, 4, seed=3, device="meta")
    for _ in range(5):  # across an epoch boundary
        assert batcher.next().device == torch.device("meta")


def test_epoch_order_unchanged_by_the_device():
    # The order is still drawn on the CPU from (seed, epoch), so runs and resumes match the earlier ones.
    batcher = IndexBatcher(10, 4, seed=3)
    expected = torch.randperm(10, generator=torch.Generator().manual_seed(3 * 1_000_003))
    assert torch.equal(torch.cat([batcher.next(), batcher.next()]), expected[:8])


def test_isotropic_shift_matches_the_covariance_form():
    x = torch.zeros(6, 2)
    by_cov = gaussian_shift(x, 0.3**2 * torch.eye(2), torch.Generator().manual_seed(0))
    by_std = isotropic_shift(x, torch.tensor(0.3), torch.Generator().manual_seed(0))
    assert torch.allclose(by_cov, by_std, atol=1e-6)


def test_host_read_counter_sees_reads():
    found: list[str] = []
    t = torch.ones(2)
    with check_no_sync.counting_host_reads(found):
        t.sum().item()
        if t.sum():
            float(t[0])
    assert len(found) == 3
    assert torch.ones(1).item() == 1.0  # restored after the block
    assert len(found) == 3


@pytest.mark.parametrize("name", ["gan", "ali", "glo", "vae", "ive_gan", "clggan"])
def test_training_step_reads_nothing_back(name, tmp_path):
    count, first = check_no_sync.check(name, 2, [], torch.device("cpu"))
    assert count == 0, first
