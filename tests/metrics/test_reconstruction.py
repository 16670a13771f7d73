import pytest
import torch
from torch import nn

from latentgan.errors import LatentganError
from latentgan.metrics.errors import MetricError
from latentgan.metrics.reconstruction import reconstruct, reconstruction_metrics


class PCAModel(nn.Module):
    """encode = projection on the top-k principal directions of the data; decode = back-projection."""

    def __init__(self, x: torch.Tensor, k: int):
        super().__init__()
        self.shape = x.shape[1:]
        flat = x.flatten(1)
        self.mean = flat.mean(0)
        self.basis = torch.linalg.svd(flat - self.mean, full_matrices=False).Vh[:k].T  # (D, k)
        self.dropout = nn.Dropout(0.5)  # shows that evaluation runs in eval mode

    def encode(self, x):
        return self.dropout((x.flatten(1) - self.mean) @ self.basis)

    def decode(self, z):
        return (z @ self.basis.T + self.mean).view(-1, *self.shape)


class ThresholdClassifier:
    """Label = whether the mean pixel is above 0.5 (inputs in [0, 1])."""

    def predict(self, x):
        return (x.flatten(1).mean(1) > 0.5).long()


def _images(n=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    # Low-rank images in [-1, 1]: 6 factors, so PCA with k >= 6 reconstructs them.
    factors, basis = torch.randn(n, 6, generator=g), torch.randn(6, 1 * 8 * 8, generator=g) / 6
    return torch.tanh(factors @ basis).view(n, 1, 8, 8)


def test_full_rank_pca_reconstructs_perfectly_and_fewer_components_do_worse():
    x = _images()
    full = reconstruction_metrics(PCAModel(x, 64), x, batch_size=20)
    small = reconstruction_metrics(PCAModel(x, 2), x, batch_size=20)
    assert full["reconstruction_mse"] < 1e-10 and full["reconstruction_lap1"] < 1e-4
    assert small["reconstruction_mse"] > 1e-3 and small["reconstruction_lap1"] > full["reconstruction_lap1"]
    assert full["reconstruction_n"] == 64


def test_points_get_mse_but_no_lap1():
    x = torch.randn(50, 5)
    result = reconstruction_metrics(PCAModel(x, 3), x)
    assert "reconstruction_lap1" not in result and result["reconstruction_mse"] > 0


def test_eval_mode_no_grad_and_training_mode_restored():
    x = _images()
    model = PCAModel(x, 64).train()
    assert reconstruct(model, x).requires_grad is False
    assert reconstruction_metrics(model, x)["reconstruction_mse"] < 1e-10  # dropout would break this
    assert model.training


def test_class_agreement_and_classifier_accuracy():
    x = _images(200)
    labels = ThresholdClassifier().predict((x + 1) / 2)
    labels[:10] = 1 - labels[:10]  # the classifier is wrong on 10 originals
    full = reconstruction_metrics(PCAModel(x, 64), x, classifier=ThresholdClassifier(), labels=labels,
                                  value_range=(-1.0, 1.0))
    assert full["classifier_accuracy_originals"] == pytest.approx(0.95)
    assert full["reconstruction_class_agreement"] == pytest.approx(0.95)
    worst = reconstruction_metrics(PCAModel(x, 0), x, classifier=ThresholdClassifier(), labels=labels,
                                   value_range=(-1.0, 1.0))
    assert worst["reconstruction_class_agreement"] < 0.8  # every reconstruction is the mean image


def test_model_without_encoder_is_a_clear_error():
    with pytest.raises(MetricError, match="no encode") as err:
        reconstruction_metrics(nn.Linear(2, 2), torch.zeros(3, 2))
    assert isinstance(err.value, LatentganError)
    x = _images()
    with pytest.raises(MetricError, match="both a classifier and the labels"):
        reconstruction_metrics(PCAModel(x, 4), x, classifier=ThresholdClassifier())


class NoisyIdentityEncoder(nn.Module):
    """A Gaussian 'encoder' q(z | x) = N(x, sigma^2): its mean code reconstructs x exactly, a draw does not."""

    def __init__(self, sigma: float):
        super().__init__()
        self.sigma = sigma
        self.anchor = nn.Parameter(torch.zeros(1))  # gives the model a device

    def encode(self, x):
        return x

    def infer(self, x, generator=None):
        return x + self.sigma * torch.randn(x.shape, generator=generator)

    def decode(self, z):
        return z


def test_sampled_codes_lose_the_class_when_the_encoder_is_noisy_and_keep_it_when_it_is_not():
    from latentgan.metrics.reconstruction import SampledCodes

    x = torch.rand(400, 1, 4, 4) * 0.2 + torch.arange(400).remainder(2).view(-1, 1, 1, 1) * 0.6  # two clear classes
    labels = ThresholdClassifier().predict(x)
    agreement = {}
    for sigma in (0.0, 2.0):
        model = NoisyIdentityEncoder(sigma)
        mean = reconstruction_metrics(model, x, classifier=ThresholdClassifier(), labels=labels, value_range=(0, 1))
        drawn = [reconstruction_metrics(SampledCodes(model, seed=s), x, classifier=ThresholdClassifier(),
                                        labels=labels, value_range=(0, 1)) for s in (0, 0, 1)]
        assert mean["reconstruction_class_agreement"] == 1.0
        assert drawn[0] == drawn[1]  # one seed, one draw: the metric is reproducible
        agreement[sigma] = drawn[0]["reconstruction_class_agreement"]
    assert agreement[0.0] == 1.0 and agreement[2.0] < 0.8, agreement
