"""The feature extractors FID, KID and precision/recall share: Inception, or the library's digit classifier."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import torch
from torch import Tensor

from latentgan.metrics.classifier import DigitClassifier, load_classifier
from latentgan.metrics.errors import MetricError
from latentgan.metrics.inception import InceptionFeatures

CLASSIFIER_PREFIX = "classifier-"


class FeatureExtractor(Protocol):
    """Anything with a name (used in cache keys and metric names) that maps images to feature vectors."""

    name: str

    def __call__(self, images: Tensor) -> Tensor:
        """images (N, C, H, W) in [0, 1] -> features (N, D) on the CPU."""
        ...


class ClassifierFeatures:
    """The digit classifier's penultimate layer as a feature extractor: (N, 1, R, R) in [0, 1] -> (N, 128)."""

    def __init__(self, classifier: DigitClassifier, batch_size: int = 1000):
        self.classifier, self.batch_size = classifier, batch_size
        self.name = f"{CLASSIFIER_PREFIX}{classifier.dataset}"

    def __call__(self, images: Tensor) -> Tensor:
        return self.classifier.features(images, self.batch_size).cpu()


def get_extractor(name: str, device: torch.device | str = "cpu", inception_path: str | Path | None = None,
                  resolution: int = 28) -> FeatureExtractor:
    """'inception' or 'classifier-<dataset>' (trained once and cached, at the given resolution)."""
    if name == InceptionFeatures.name:
        return InceptionFeatures(inception_path, device)
    if name.startswith(CLASSIFIER_PREFIX) and len(name) > len(CLASSIFIER_PREFIX):
        classifier = load_classifier(name[len(CLASSIFIER_PREFIX):], resolution=resolution, device=device)
        return ClassifierFeatures(classifier)
    raise MetricError(f"unknown feature extractor {name!r}; use 'inception' or 'classifier-<dataset>' "
                      "(e.g. classifier-mnist5k, classifier-fashion-mnist)")
