from pathlib import Path

import numpy as np
import pytest
import torch

from latentgan.data import load_dataset
from latentgan.data.base import DataError
from latentgan.data.stacked import stack_digits


def test_stack_digits_label_composition():
    x = torch.arange(10, dtype=torch.uint8).view(10, 1, 1, 1).expand(10, 1, 2, 2).clone()
    y = torch.arange(10)
    images, labels = stack_digits(x, y, np.array([[1, 2, 3], [9, 0, 5]]))
    assert images.shape == (2, 3, 2, 2) and labels.tolist() == [123, 905]
    assert images[0, :, 0, 0].tolist() == [1, 2, 3]


def test_stacked_from_idx_source(mnist_dir: Path):
    ds = load_dataset("stacked-mnist", root=mnist_dir, source="mnist", n=200, seed=1)
    assert ds.x.shape == (200, 3, 28, 28) and ds.x.dtype == torch.uint8
    assert ds.num_classes == 1000 and ds.y.max() < 1000
    source = load_dataset("mnist", root=mnist_dir)
    for i in range(5):  # every channel is one source image, and the label spells its digits
        digits = []
        for c in range(3):
            match = (source.x[:, 0] == ds.x[i, c]).flatten(1).all(1).nonzero()[0, 0]
            digits.append(int(source.y[match]))
        assert int(ds.y[i]) == digits[0] * 100 + digits[1] * 10 + digits[2]
    again = load_dataset("stacked-mnist", root=mnist_dir, source="mnist", n=200, seed=1)
    assert torch.equal(ds.x, again.x) and torch.equal(ds.y, again.y)
    other = load_dataset("stacked-mnist", root=mnist_dir, source="mnist", n=200, seed=2)
    assert not torch.equal(ds.y, other.y)


def test_stacked_default_digits_and_padding():
    ds = load_dataset("stacked-mnist", source="digits", n=64, pad_to=10)
    assert ds.x.shape == (64, 3, 10, 10)


def test_stacked_bad_source():
    with pytest.raises(DataError, match="source must be one of"):
        load_dataset("stacked-mnist", source="cifar10")
    with pytest.raises(DataError, match="n must be >= 1"):
        load_dataset("stacked-mnist", n=0)
