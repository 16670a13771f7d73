"""Reconstruction quality of models with an encoder: MSE, Laplacian-pyramid L1 and class agreement of G(E(x))."""

from __future__ import annotations

from typing import Protocol

import torch
from torch import Tensor, nn

from latentgan.data.base import to_unit_range
from latentgan.losses import lap1_loss, mse_loss
from latentgan.metrics.errors import MetricError
from latentgan.nn.eval_mode import eval_mode


class LabelPredictor(Protocol):
    """Anything with predict(x (B, ...) in [0, 1]) -> (B,) labels, e.g. metrics.classifier.DigitClassifier."""

    def predict(self, x: Tensor) -> Tensor: ...


def _device_of(model: nn.Module) -> torch.device:
    # Models without parameters (fixed projections in tests) run on the CPU.
    return next(model.parameters(), torch.empty(0)).device


def _check_encoder(model: nn.Module) -> None:
    missing = [name for name in ("encode", "decode") if not callable(getattr(model, name, None))]
    if missing:
        raise MetricError(f"{type(model).__name__} has no {' or '.join(missing)}(); reconstruction metrics need a "
                          "model with an encoder, such as ali, bigan or ive_gan")


@torch.no_grad()
def reconstruct(model: nn.Module, x: Tensor) -> Tensor:
    """decode(encode(x)) for one batch in eval mode: x (B, C, H, W) or (B, D) -> same shape, on x's device."""
    _check_encoder(model)
    with eval_mode(model):  # restored after: in-training evaluation must not leave the model in eval mode
        recon = model.decode(model.encode(x.to(_device_of(model)))).to(x.device)
    if recon.shape != x.shape:
        raise MetricError(f"decode(encode(x)) has shape {tuple(recon.shape)}, x has {tuple(x.shape)}")
    return recon


def _batch_scores(model: nn.Module, x: Tensor, classifier: LabelPredictor | None,
                  value_range: tuple[float, float] | None) -> dict[str, Tensor]:
    # Per-example scores of one batch, so memory stays O(batch) for 10,000 held-out images.
    recon = reconstruct(model, x)
    scores = {"mse": mse_loss(recon, x, reduction="none")}
    if x.dim() == 4:
        scores["lap1"] = lap1_loss(recon, x, reduction="none")
    if classifier is not None:
        if value_range is not None:  # the library's classifiers take images in [0, 1]
            x, recon = to_unit_range(x, value_range), to_unit_range(recon, value_range)
        scores["on_recon"] = torch.as_tensor(classifier.predict(recon)).cpu().long()
        scores["on_x"] = torch.as_tensor(classifier.predict(x)).cpu().long()
    return scores


def reconstruction_metrics(model: nn.Module, x: Tensor, batch_size: int = 256,
                           classifier: LabelPredictor | None = None, labels: Tensor | None = None,
                           value_range: tuple[float, float] | None = None) -> dict[str, float]:
    """MSE (per pixel, mean over examples) and Lap1 (images only) between held-out x and decode(encode(x)).

    x: (N, C, H, W) images or (N, D) points, in the model's data range; metrics are in that range's units.
    With a classifier and labels (N,), also the fraction of reconstructions classified as their label, and
    the classifier's accuracy on the originals for reference. Classifier inputs are mapped from value_range
    (default: model.data_shape.value_range when the model has one) to [0, 1].
    """
    _check_encoder(model)
    if (classifier is None) != (labels is None):
        raise MetricError("class agreement needs both a classifier and the labels of x")
    if x.shape[0] == 0:
        raise MetricError("reconstruction metrics need at least one example")
    if classifier is not None:
        labels = torch.as_tensor(labels).cpu().long()
        if labels.shape != (x.shape[0],):
            raise MetricError(f"labels must have shape ({x.shape[0]},), got {tuple(labels.shape)}")
        data_shape = getattr(model, "data_shape", None)
        value_range = value_range or (tuple(data_shape.value_range) if data_shape is not None else None)
    device = _device_of(model)  # score on the model's device: Lap1 of 10,000 images is slow on a CPU
    batches = [_batch_scores(model, x[i:i + batch_size].detach().to(device, torch.float32), classifier, value_range)
               for i in range(0, x.shape[0], batch_size)]
    scores = {key: torch.cat([b[key].cpu() for b in batches]) for key in batches[0]}
    result = {"reconstruction_mse": float(scores["mse"].mean()), "reconstruction_n": int(x.shape[0])}
    if "lap1" in scores:
        result["reconstruction_lap1"] = float(scores["lap1"].mean())
    if classifier is not None:
        result["reconstruction_class_agreement"] = float((scores["on_recon"] == labels).float().mean())
        result["classifier_accuracy_originals"] = float((scores["on_x"] == labels).float().mean())
    return result


class SampledCodes(nn.Module):
    """A Gaussian-encoder model seen through one draw z ~ q(z | x) instead of the mean code: reconstruction metrics
    of this wrapper say what a sampled code keeps (ALI's paper reconstructs from samples, section 4.2)."""

    def __init__(self, model: nn.Module, seed: int = 0):
        super().__init__()
        self.model = model
        self.data_shape = getattr(model, "data_shape", None)
        self.generator = torch.Generator(device=_device_of(model)).manual_seed(seed)

    def encode(self, x: Tensor) -> Tensor:
        """One draw from q(z | x), the model's encoder in the mode the caller set (eval for metrics)."""
        return self.model.infer(x, generator=self.generator)

    def decode(self, z: Tensor) -> Tensor:
        """The model's decoder."""
        return self.model.decode(z)
