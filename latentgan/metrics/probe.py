"""Representation quality: linear / L2-SVM / k-NN probes on few labels, for encoder features, pixels and PCA.

The semi-supervised protocol of the ALI paper (after Radford et al.): train a linear classifier on k labelled
examples drawn at random from the training set, measure test accuracy, repeat over R label subsets and report
mean +- std. Every feature set sees the same label subsets, so their accuracies are paired.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import torch
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits
from torch import Tensor

from latentgan.data.label_subsets import balanced_label_subsets
from latentgan.metrics.errors import MetricError
from latentgan.nn.in_batches import map_in_batches

ArrayLike = Tensor | np.ndarray

# Chosen so both converge in ~0.3-2 s on 1,000 x 784 standardised pixels; the papers pick C on a validation set.
DEFAULT_C = {"logistic": 1.0, "svm": 0.01}
MAX_ITER = {"logistic": 1000, "svm": 2000}


def _numpy(a: ArrayLike, dims: int) -> np.ndarray:
    a = a.detach().cpu().numpy() if isinstance(a, Tensor) else np.asarray(a)
    return a.reshape(len(a), -1) if dims == 2 else a.reshape(-1)


def _summary(accuracies: list[float], **extra: int) -> dict:
    acc = np.asarray(accuracies, dtype=float)
    std = float(acc.std(ddof=1)) if len(acc) > 1 else 0.0  # sample std over label subsets
    return {"mean": float(acc.mean()), "std": std, "accuracies": acc.tolist(), **extra}


def _standardized(train: np.ndarray, test: np.ndarray, standardize: bool) -> tuple[np.ndarray, np.ndarray]:
    # The scaler sees the whole (unlabelled) train pool: with only 1,000 labels, a pixel that is almost
    # constant in the subset would otherwise be blown up on the test set.
    if not standardize:
        return train, test
    scaler = StandardScaler().fit(train)
    return scaler.transform(train), scaler.transform(test)


def _linear_model(classifier: str, C: float | None, seed: int):
    if classifier not in DEFAULT_C:
        raise MetricError(f"unknown probe classifier '{classifier}'; choose one of: {', '.join(DEFAULT_C)}")
    C = DEFAULT_C[classifier] if C is None else C
    if classifier == "logistic":
        return LogisticRegression(C=C, max_iter=MAX_ITER[classifier])
    # The L2-SVM of Radford et al. / the ALI paper: squared hinge loss, L2 penalty.
    return LinearSVC(C=C, loss="squared_hinge", dual="auto", max_iter=MAX_ITER[classifier], random_state=seed)


def linear_probe(train_features: ArrayLike, train_labels: ArrayLike, test_features: ArrayLike,
                 test_labels: ArrayLike, n_labels: int = 1000, repeats: int = 10, seed: int = 0,
                 classifier: str = "logistic", standardize: bool = True, C: float | None = None) -> dict:
    """Test accuracy of a linear classifier trained on class-balanced subsets of n_labels train examples.

    features: (N, d) (flattened if more dims), labels: (N,). classifier: "logistic" (multinomial logistic
    regression) or "svm" (L2-SVM). Returns mean and std (sample, over `repeats` subsets) of the accuracy in
    [0, 1], the per-subset accuracies, and how many fits stopped at the iteration limit.
    """
    train, test = _standardized(_numpy(train_features, 2), _numpy(test_features, 2), standardize)
    train_y, test_y = _numpy(train_labels, 1), _numpy(test_labels, 1)
    accuracies, not_converged = [], 0
    # One BLAS thread: these problems are small, and on a busy 2-core machine threaded BLAS was 10x slower.
    with threadpool_limits(1), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        for subset in balanced_label_subsets(train_y, n_labels, repeats, seed):
            model = _linear_model(classifier, C, seed).fit(train[subset], train_y[subset])
            accuracies.append(float(model.score(test, test_y)))
        not_converged = sum(issubclass(w.category, ConvergenceWarning) for w in caught)
    return _summary(accuracies, not_converged=not_converged)


def knn_probe(train_features: ArrayLike, train_labels: ArrayLike, test_features: ArrayLike,
              test_labels: ArrayLike, n_labels: int = 1000, repeats: int = 10, seed: int = 0, k: int = 5,
              standardize: bool = False) -> dict:
    """Test accuracy of k-NN (Euclidean) with the same class-balanced label subsets as linear_probe.

    Not standardised by default: k-NN then measures the geometry the features themselves have.
    """
    train, test = _standardized(_numpy(train_features, 2), _numpy(test_features, 2), standardize)
    train_y, test_y = _numpy(train_labels, 1), _numpy(test_labels, 1)
    accuracies = []
    with threadpool_limits(1):
        for subset in balanced_label_subsets(train_y, n_labels, repeats, seed):
            model = KNeighborsClassifier(n_neighbors=min(k, len(subset))).fit(train[subset], train_y[subset])
            accuracies.append(float(model.score(test, test_y)))
    return _summary(accuracies)


@torch.no_grad()
def _encode_all(encode_fn: Callable[[Tensor], Tensor], x: ArrayLike, batch_size: int) -> np.ndarray:
    return _numpy(map_in_batches(encode_fn, torch.as_tensor(x), batch_size), 2)


def probe_report(encode_fn: Callable[[Tensor], Tensor], train_x: ArrayLike, train_y: ArrayLike, test_x: ArrayLike,
                 test_y: ArrayLike, n_labels: int = 1000, repeats: int = 10, seed: int = 0,
                 classifier: str = "logistic", k: int = 5, batch_size: int = 500,
                 extra: dict[str, Callable[[Tensor], Tensor]] | None = None) -> dict[str, float]:
    """Linear and k-NN probes of encode_fn's features beside raw pixels and PCA of the same dimension.

    encode_fn: (B, ...) -> (B, d), e.g. model.encode, or a function concatenating hidden layers. train_x is
    the pool the label subsets come from; PCA is fitted on it (never on the test set). Keys carry the label
    count, e.g. probe_linear_encoder@1000 and probe_linear_encoder_std@1000 ("svm" instead of "linear" for
    the L2-SVM), probe_knn_pca@1000; accuracies are in [0, 1]. extra: more feature maps probed under their
    names (e.g. {"hidden": model.probe_features}), with probe_<name>_dim.
    """
    features = {"encoder": (_encode_all(encode_fn, train_x, batch_size), _encode_all(encode_fn, test_x, batch_size))}
    pixels_train, pixels_test = _numpy(train_x, 2).astype(np.float32), _numpy(test_x, 2).astype(np.float32)
    features["pixels"] = (pixels_train, pixels_test)
    dim = features["encoder"][0].shape[1]
    pca = PCA(n_components=min(dim, *pixels_train.shape), random_state=seed).fit(pixels_train)
    features["pca"] = (pca.transform(pixels_train), pca.transform(pixels_test))
    kind = "linear" if classifier == "logistic" else classifier
    report: dict[str, float] = {"probe_feature_dim": dim, "probe_repeats": repeats}
    for name, fn in (extra or {}).items():
        features[name] = (_encode_all(fn, train_x, batch_size), _encode_all(fn, test_x, batch_size))
        report[f"probe_{name}_dim"] = features[name][0].shape[1]
    for name, (train, test) in features.items():
        linear = linear_probe(train, train_y, test, test_y, n_labels, repeats, seed, classifier)
        knn = knn_probe(train, train_y, test, test_y, n_labels, repeats, seed, k)
        for probe, result in ((kind, linear), ("knn", knn)):
            report[f"probe_{probe}_{name}@{n_labels}"] = result["mean"]
            report[f"probe_{probe}_{name}_std@{n_labels}"] = result["std"]
    return report
