"""CIFAR-10 from the python pickle batches, read with an unpickler that only rebuilds numpy arrays."""

from __future__ import annotations

import codecs
import io
import pickle
from pathlib import Path

import numpy as np
import torch

from latentgan.data.base import DataError, Dataset
from latentgan.data.spec import DatasetSpec, require_root

try:  # numpy >= 2
    from numpy._core.multiarray import _reconstruct
    from numpy._core.numeric import _frombuffer
except ImportError:  # numpy 1.x
    from numpy.core.multiarray import _reconstruct
    from numpy.core.numeric import _frombuffer

BATCHES_DIR = "cifar-10-batches-py"
SPLIT_FILES = {"train": [f"data_batch_{i}" for i in range(1, 6)], "test": ["test_batch"]}
CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]

_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy.core.numeric", "_frombuffer"): _frombuffer,
    ("numpy._core.numeric", "_frombuffer"): _frombuffer,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): codecs.encode,  # how Python 3 writes bytes at pickle protocol 2
}


class ArrayOnlyUnpickler(pickle.Unpickler):
    """Unpickles plain containers and numpy arrays; any other class or function is refused."""

    def find_class(self, module: str, name: str) -> object:
        if (module, name) in _ALLOWED:
            return _ALLOWED[(module, name)]
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}: CIFAR batches hold only arrays")


def read_batch(path: Path) -> dict[str, object]:
    """Unpickle one batch file safely (latin-1 bytes as in the Python 2 originals); keys become str."""
    try:
        content = ArrayOnlyUnpickler(io.BytesIO(path.read_bytes()), encoding="bytes").load()
    except Exception as err:  # a damaged pickle can raise almost anything
        raise DataError(f"{path} is not a valid CIFAR-10 python batch ({type(err).__name__}: {err}); "
                        "download and extract cifar-10-python.tar.gz again") from err
    if not isinstance(content, dict):
        raise DataError(f"{path} holds a {type(content).__name__}, expected the CIFAR batch dict")
    return {k.decode("latin-1") if isinstance(k, bytes) else str(k): v for k, v in content.items()}


def batch_arrays(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, 3, 32, 32) uint8 and labels (N,) int64 of one batch file, checked for shape and range."""
    batch = read_batch(path)
    if "data" not in batch or "labels" not in batch:
        raise DataError(f"{path} lacks the 'data' and 'labels' entries (found {sorted(batch)}); "
                        "is it a CIFAR-100 or other file?")
    try:
        data, labels = np.asarray(batch["data"]), np.asarray(batch["labels"])
    except (ValueError, TypeError) as err:  # ragged lists, undecodable bytes, ...
        raise DataError(f"{path}: 'data' and 'labels' are not arrays ({type(err).__name__}: {err})") from err
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise DataError(f"{path}: 'data' is {data.dtype} {data.shape}, expected uint8 (N, 3072)")
    if labels.shape != (len(data),) or not np.issubdtype(labels.dtype, np.integer):
        raise DataError(f"{path}: {len(data)} images but labels of shape {labels.shape} ({labels.dtype})")
    if len(labels) and (labels.min() < 0 or labels.max() > 9):
        raise DataError(f"{path}: labels outside 0..9")
    return data.reshape(-1, 3, 32, 32), labels.astype(np.int64)


def locate_cifar(root: Path | None) -> Path | None:
    """The directory holding the batches: root/cifar-10-batches-py, or root itself."""
    if root is None:
        return None
    for folder in (root / BATCHES_DIR, root):
        if (folder / "test_batch").is_file() or (folder / "data_batch_1").is_file():
            return folder
    return None


def class_names(folder: Path) -> list[str]:
    """Label names from batches.meta when present and sane, else the standard ten."""
    meta = folder / "batches.meta"
    if not meta.is_file():
        return list(CLASSES)
    names = read_batch(meta).get("label_names")
    if not isinstance(names, list) or len(names) != 10:
        raise DataError(f"{meta} has no list of 10 'label_names'; extract the archive again")
    return [n.decode("latin-1") if isinstance(n, bytes) else str(n) for n in names]


def build_cifar10(root: Path | None, split: str, seed: int) -> Dataset:
    """CIFAR-10, 32x32 RGB, 10 classes: train = data_batch_1..5 (50,000), test = test_batch (10,000)."""
    root = require_root(root, "cifar10", f"{BATCHES_DIR}/ (data_batch_1..5, test_batch, batches.meta)")
    folder = locate_cifar(root)
    if folder is None:
        raise DataError(f"cifar10: no {BATCHES_DIR}/data_batch_1 or test_batch under {root}; extract "
                        "cifar-10-python.tar.gz there, or pass download=True (--download)")
    missing = [f for f in SPLIT_FILES[split] if not (folder / f).is_file()]
    if missing:
        raise DataError(f"cifar10: {', '.join(missing)} missing from {folder}; extract the archive again")
    arrays = [batch_arrays(folder / f) for f in SPLIT_FILES[split]]
    x = np.concatenate([a[0] for a in arrays])
    y = np.concatenate([a[1] for a in arrays])
    return Dataset(name="cifar10", x=torch.from_numpy(x), y=torch.from_numpy(y),
                   class_names=class_names(folder), info={"dir": str(folder)})


SPECS = [
    DatasetSpec(
        name="cifar10", kind="image", description="CIFAR-10 natural images, 32x32 RGB, 10 classes",
        source=f"python batches {BATCHES_DIR}/ (data_batch_1..5, test_batch, batches.meta) in root, from "
               "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz; download=True (--download) fetches "
               "and extracts it",
        builder=build_cifar10, options={}, locate=locate_cifar,
    ),
]
