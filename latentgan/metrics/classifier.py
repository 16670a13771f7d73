"""A small CNN classifier for MNIST-family digits and clothing: labels for stacked-MNIST modes, features for FID.

Trained by the library on the dataset's own labels (CPU, one thread, seeded: the same weights on every run on
one machine) and cached once per dataset and resolution under cache_dir("classifiers").
"""

from __future__ import annotations

import pickle
from contextlib import contextmanager
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from latentgan.cache import cache_dir
from latentgan.data.base import DataError, Dataset
from latentgan.data.registry import load_dataset
from latentgan.data.transforms import RandomTransform, TransformConfig
from latentgan.files import atomic_write
from latentgan.metrics.errors import MetricError
from latentgan.progress import task

FORMAT = "latentgan-classifier"
VERSION = 1
FEATURE_DIM = 128
NATIVE_SIZE = 28
DEFAULT_EPOCHS = {"mnist5k": 5}  # 4,000 images: more passes; the 60,000-image sets need few
FALLBACK_EPOCHS = 2
# Trained on transformed images the classifier needs more passes (mnist5k: 96.0 % on test digits, 94.5 % on
# digits shifted <= 4 px and rotated <= 20 deg, where the plain one falls to 50 %).
AUGMENTED_EPOCHS = {"mnist5k": 15}
AUGMENTED_FALLBACK_EPOCHS = 4
LEARNING_RATE = 2e-3


class DigitClassifier(nn.Module):
    """Two conv layers and two linear layers on (N, 1, R, R) images in [0, 1]; penultimate width 128."""

    def __init__(self, resolution: int = NATIVE_SIZE, num_classes: int = 10, dataset: str = "mnist5k"):
        super().__init__()
        if resolution % 4:
            raise MetricError(f"the classifier needs a resolution divisible by 4 (28 or 32), got {resolution}")
        self.resolution, self.dataset, self.test_accuracy = resolution, dataset, float("nan")
        self.body = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * (resolution // 4) ** 2, FEATURE_DIM), nn.ReLU(),
        )
        self.dropout = nn.Dropout(0.3)  # regularises: mnist5k has only 4,000 training digits
        self.head = nn.Linear(FEATURE_DIM, num_classes)

    def _check(self, x: Tensor) -> Tensor:
        if x.dim() != 4 or x.shape[1] != 1 or tuple(x.shape[2:]) != (self.resolution, self.resolution):
            raise MetricError(f"the {self.dataset} classifier takes (N, 1, {self.resolution}, {self.resolution}) "
                              f"images in [0, 1], got {tuple(x.shape)}")
        return x.to(next(self.parameters()).device, torch.float32)

    def embed(self, x: Tensor) -> Tensor:
        """x (N, 1, R, R) in [0, 1] -> (N, 128) penultimate activations, in the current mode."""
        return self.body(self._check(x) * 2.0 - 1.0)  # zero-centred inputs train faster

    def forward(self, x: Tensor) -> Tensor:
        """x (N, 1, R, R) in [0, 1] -> logits (N, classes)."""
        return self.head(self.dropout(self.embed(x)))

    @torch.no_grad()
    def features(self, x: Tensor, batch_size: int = 1000) -> Tensor:
        """Penultimate activations: x (N, 1, R, R) in [0, 1] -> (N, 128), in eval mode, batched."""
        was_training = self.training
        self.eval()
        out = [self.embed(x[i:i + batch_size]) for i in range(0, x.shape[0], batch_size)]
        self.train(was_training)
        return torch.cat(out) if out else torch.empty(0, FEATURE_DIM)

    @torch.no_grad()
    def predict(self, x: Tensor, batch_size: int = 1000) -> Tensor:
        """Most likely class: x (N, 1, R, R) in [0, 1] -> (N,) int64 labels."""
        return self.head(self.features(x, batch_size)).argmax(dim=1)


def classifier_data(dataset: str, split: str, resolution: int) -> Dataset:
    """A labelled 1-channel image split in [0, 1] at the resolution (28 native, 32 zero-padded)."""
    pad_to = resolution if resolution != NATIVE_SIZE else None
    try:
        data = load_dataset(dataset, split=split, value_range=(0.0, 1.0), pad_to=pad_to)
    except DataError as err:
        raise MetricError(f"cannot train the {dataset} classifier: {err}") from err
    if not data.is_image or data.x.shape[1] != 1 or data.num_classes is None:
        raise MetricError(f"the classifier needs labelled grayscale images; {dataset!r} is not such a dataset")
    if tuple(data.x.shape[2:]) != (resolution, resolution):
        raise MetricError(f"{dataset} images are {tuple(data.x.shape[2:])}; the classifier supports 28x28 "
                          "MNIST-family data at resolution 28 or 32 (zero-padded)")
    return data


def accuracy(model: DigitClassifier, data: Dataset) -> float:
    """Fraction of the split's examples classified correctly."""
    predicted = model.predict(data.x.float() / 255.0)
    return float((predicted == data.y.to(predicted.device)).float().mean())


@contextmanager
def one_thread():
    """Run the block with one intra-op thread, restoring the caller's setting after."""
    # Convolutions this small gain little from threads and lose badly when the cores are shared (measured: 4x
    # slower with 2 threads on a busy 2-core machine); one thread also keeps the weights independent of it.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def augmentation_tag(augment: TransformConfig | None) -> str:
    """The part of a classifier's cache name that says what it was trained to ignore: '' or '-shift4-rot20'."""
    if augment is None:
        return ""
    if augment.flip or augment.brightness or augment.contrast or augment.hue or augment.point_cov is not None:
        raise MetricError(f"a classifier can be trained to ignore shifts and rotations only, got {augment}; "
                          "set shift and rotate alone")
    return (f"-shift{augment.shift}" if augment.shift else "") + (f"-rot{augment.rotate:g}" if augment.rotate else "")


def _train_epochs(model: DigitClassifier, data: Dataset, epochs: int, seed: int, batch_size: int,
                  augment: TransformConfig | None = None) -> None:
    """Adam on cross-entropy with a cosine-decayed step size, shuffled (and augmented) by a seeded generator."""
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    steps_per_epoch = -(-len(data) // batch_size)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, epochs * steps_per_epoch))
    order_rng = torch.Generator().manual_seed(seed)
    transform = RandomTransform(augment, (0.0, 1.0)) if augment is not None else None
    model.train()
    name = f"training the {model.dataset} classifier{augmentation_tag(augment)} ({epochs} epochs, once; cached after)"
    with task(name, total=epochs * steps_per_epoch, unit="batch") as bar:
        for _ in range(epochs):
            order = torch.randperm(len(data), generator=order_rng)
            for start in range(0, len(data), batch_size):
                x, y, _ = data.batch(order[start:start + batch_size])
                if transform is not None:
                    x = transform(x, order_rng)
                loss = F.cross_entropy(model(x), y)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                schedule.step()
                bar.update(1)
    model.eval()


def train_classifier(dataset: str = "mnist5k", epochs: int | None = None, seed: int = 0, resolution: int = 28,
                     batch_size: int = 64, augment: TransformConfig | None = None) -> tuple[DigitClassifier, float]:
    """Train on the dataset's train split (CPU), return (model in eval mode, test-split accuracy).

    augment: random shifts / rotations applied to every training batch, so the classifier labels such variants
    of an image like the image (IVE-GAN's reconstructions are variants T(x) by design).
    """
    augmentation_tag(augment)  # refuse what the classifier cannot be trained to ignore before any work
    if epochs is None:
        epochs = (DEFAULT_EPOCHS.get(dataset, FALLBACK_EPOCHS) if augment is None
                  else AUGMENTED_EPOCHS.get(dataset, AUGMENTED_FALLBACK_EPOCHS))
    train, test = classifier_data(dataset, "train", resolution), classifier_data(dataset, "test", resolution)
    with torch.random.fork_rng(devices=[]), one_thread():  # weights and dropout from the seed; caller's RNG kept
        torch.manual_seed(seed)
        model = DigitClassifier(resolution, train.num_classes, dataset)
        _train_epochs(model, train, epochs, seed, batch_size, augment)
    model.test_accuracy = accuracy(model, test)
    return model, model.test_accuracy


def classifier_path(dataset: str, resolution: int, augment: TransformConfig | None = None) -> Path:
    """Where load_classifier caches a classifier: classifiers/mnist5k-28px-v1.pt, mnist5k-32px-shift4-rot20-v1.pt."""
    return cache_dir("classifiers", f"{dataset}-{resolution}px{augmentation_tag(augment)}-v{VERSION}.pt")


def _read_cached(path: Path, dataset: str, resolution: int) -> DigitClassifier | None:
    """The cached classifier, or None when the file is missing, unreadable or of another kind."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        if state.get("format") != FORMAT or state.get("version") != VERSION:
            return None
        model = DigitClassifier(resolution, int(state["num_classes"]), dataset)
        model.load_state_dict(state["weights"])
    except (OSError, RuntimeError, KeyError, AttributeError, ValueError, EOFError, pickle.UnpicklingError):
        return None
    model.test_accuracy = float(state["test_accuracy"])
    return model.eval()


def _write_cached(path: Path, model: DigitClassifier) -> None:
    state = {"format": FORMAT, "version": VERSION, "dataset": model.dataset, "resolution": model.resolution,
             "num_classes": model.head.out_features, "test_accuracy": model.test_accuracy,
             "weights": model.state_dict()}
    atomic_write(path, lambda f: torch.save(state, f))


def load_classifier(dataset: str = "mnist5k", resolution: int = 28, cache: bool = True,
                    device: torch.device | str = "cpu", augment: TransformConfig | None = None) -> DigitClassifier:
    """The dataset's classifier in eval mode: read from the cache, else trained once (seed 0) and cached.

    augment: the shift-and-rotation-invariant variant (a separate file), see train_classifier.
    """
    path = classifier_path(dataset, resolution, augment)
    model = _read_cached(path, dataset, resolution) if cache else None
    if model is None:
        model, _ = train_classifier(dataset, resolution=resolution, augment=augment)
        if cache:
            _write_cached(path, model)
    return model.to(device)
