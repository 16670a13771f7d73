import math

import pytest
import torch

from latentgan.metrics.errors import MetricError
from latentgan.metrics.stacked_modes import stacked_mnist_modes


class BrightnessClassifier:
    """Reads a digit from a channel's constant brightness d / 9."""

    def predict(self, x, batch_size=1000):
        return (x.mean(dim=(1, 2, 3)) * 9).round().long()


def constant_stacks(triples, copies):
    values = torch.tensor(triples, dtype=torch.float32).repeat_interleave(copies, dim=0) / 9
    return values.view(-1, 3, 1, 1).expand(-1, 3, 4, 4)


def test_counts_and_kl_against_uniform():
    triples = [(0, 0, 0), (1, 2, 3), (9, 9, 9), (3, 2, 1)]
    result = stacked_mnist_modes(constant_stacks(triples, 5), BrightnessClassifier())
    assert result["modes"] == 4 and result["kl"] == pytest.approx(math.log(1000 / 4))


def test_one_mode_and_an_uneven_histogram():
    assert stacked_mnist_modes(constant_stacks([(4, 5, 6)], 7), BrightnessClassifier())["kl"] == pytest.approx(
        math.log(1000))
    images = torch.cat([constant_stacks([(1, 1, 1)], 3), constant_stacks([(2, 2, 2)], 1)])
    expected = 0.75 * math.log(0.75 * 1000) + 0.25 * math.log(0.25 * 1000)
    assert stacked_mnist_modes(images, BrightnessClassifier())["kl"] == pytest.approx(expected)


def test_real_digit_stacks_cover_the_known_triples(mnist_classifier, mnist_test_images):
    images, labels = mnist_test_images
    correct = mnist_classifier.predict(images) == labels  # stack only digits the classifier reads right
    by_digit = [torch.nonzero(correct & (labels == d)).flatten() for d in range(10)]
    modes = torch.randperm(1000, generator=torch.Generator().manual_seed(0))[:60]
    digits = torch.stack([modes // 100, modes // 10 % 10, modes % 10], dim=1)  # (60, 3)
    stacks = []
    for copy in range(3):  # each triple three times, from different real images
        channels = [images[torch.stack([by_digit[d][copy * 3 + c] for d in digits[:, c].tolist()])] for c in range(3)]
        stacks.append(torch.cat(channels, dim=1))
    result = stacked_mnist_modes(torch.cat(stacks), mnist_classifier, batch_size=64)
    assert result["modes"] == 60 and result["kl"] == pytest.approx(math.log(1000 / 60))


def test_wrong_channel_count_is_refused():
    with pytest.raises(MetricError, match=r"\(N, 3, H, W\)"):
        stacked_mnist_modes(torch.zeros(2, 1, 28, 28), BrightnessClassifier())
