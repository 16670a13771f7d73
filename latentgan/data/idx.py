"""MNIST-family datasets stored as IDX files (raw or gzip): mnist, fashion-mnist, kmnist, emnist."""

from __future__ import annotations

import gzip
import math
import struct
import zlib
from pathlib import Path

import numpy as np
import torch

from latentgan.data.base import DataError, Dataset
from latentgan.data.spec import DatasetSpec, require, require_root

IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801
FASHION_DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
_GZIP_MAGIC = b"\x1f\x8b"
_SPLIT_PREFIX = {"train": "train", "test": "t10k"}

FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
KMNIST_CLASSES = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]
_DIGITS = [str(d) for d in range(10)]
_UPPER = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
_LOWER = [chr(c) for c in range(ord("a"), ord("z") + 1)]
EMNIST_CLASSES = {
    "byclass": _DIGITS + _UPPER + _LOWER,
    "bymerge": _DIGITS + _UPPER + list("abdefghnqrt"),
    "balanced": _DIGITS + _UPPER + list("abdefghnqrt"),
    "letters": _UPPER,
    "digits": _DIGITS,
    "mnist": _DIGITS,
}


def _read_bytes(path: Path) -> bytes:
    """The file's content, gunzipped when it starts with the gzip magic bytes."""
    raw = path.read_bytes()
    if not raw.startswith(_GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as err:
        raise DataError(f"{path} is a damaged gzip file ({err}); download it again") from err


def read_idx(path: Path, magic: int) -> np.ndarray:
    """Read an unsigned-byte IDX file, checking magic number and that the length matches the header."""
    data = _read_bytes(path)
    if not data:
        raise DataError(f"{path} is empty; download it again")
    if len(data) < 4 or struct.unpack(">I", data[:4])[0] != magic:
        found = data[:4].hex() if len(data) >= 4 else f"{data.hex()} (the file has only {len(data)} bytes)"
        raise DataError(f"{path} is not an IDX file of the expected kind: magic number 0x{found}, "
                        f"expected 0x{magic:08x}; is it the right file (images vs labels)?")
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError(f"{path} is truncated: {len(data)} bytes, shorter than its {header}-byte header")
    dims = struct.unpack(f">{ndim}I", data[4:header])
    expected = header + math.prod(dims)  # Python ints: no overflow for 2**32-sized dims
    if len(data) != expected:
        raise DataError(f"{path} has {len(data)} bytes but its header {dims} needs {expected}; "
                        "the file is truncated or corrupt, download it again")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


def find_file(root: Path, stem: str, dataset: str) -> Path:
    """root/stem or root/stem.gz (also under root/raw); a DataError naming both when neither is there."""
    for folder in (root, root / "raw"):
        for candidate in (folder / stem, folder / f"{stem}.gz"):
            if candidate.is_file():
                return candidate
    hint = " or pass download=True (--download)" if dataset in ("mnist", "fashion-mnist", "kmnist") else ""
    raise DataError(f"{dataset}: {stem}.gz (or {stem}) not found in {root}; put the file there{hint}")


def load_idx_pair(images: Path, labels: Path, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Read images (N, H, W) and labels (N,) and check that their counts agree."""
    x, y = read_idx(images, IMAGES_MAGIC), read_idx(labels, LABELS_MAGIC)
    if len(x) != len(y):
        raise DataError(f"{name}: {images.name} holds {len(x)} images but {labels.name} holds "
                        f"{len(y)} labels; the two files do not belong together")
    return x, y


def idx_dataset(name: str, root: Path, split: str, class_names: list[str], prefix: str = "") -> Dataset:
    """Load the split's image and label files from root as (N, 1, H, W) uint8 with int64 labels."""
    stem = prefix + _SPLIT_PREFIX[split]
    images = find_file(root, f"{stem}-images-idx3-ubyte", name)
    labels = find_file(root, f"{stem}-labels-idx1-ubyte", name)
    x, y = load_idx_pair(images, labels, name)
    if len(y) and int(y.max()) >= len(class_names):
        raise DataError(f"{name}: {labels} has label {int(y.max())} but the dataset has "
                        f"{len(class_names)} classes; is it the right file?")
    return Dataset(name=name, x=torch.from_numpy(x.copy()).unsqueeze(1),
                   y=torch.from_numpy(y.astype(np.int64)), class_names=list(class_names),
                   info={"files": [str(images), str(labels)]})


_IDX_EXPECTED = "{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]"


def build_mnist(root: Path | None, split: str, seed: int) -> Dataset:
    """MNIST, 28x28 grayscale digits, from the user's root."""
    return idx_dataset("mnist", require_root(root, "mnist", _IDX_EXPECTED), split, _DIGITS)


def build_kmnist(root: Path | None, split: str, seed: int) -> Dataset:
    """Kuzushiji-MNIST, 28x28 grayscale cursive Japanese characters, from the user's root."""
    return idx_dataset("kmnist", require_root(root, "kmnist", _IDX_EXPECTED), split, KMNIST_CLASSES)


def locate_fashion(root: Path | None) -> Path | None:
    """The directory holding Fashion-MNIST: root, or Debian's dataset-fashion-mnist location."""
    folder = root if root is not None else FASHION_DEBIAN_DIR
    return folder if any(folder.glob("train-images-idx3-ubyte*")) else None


def build_fashion(root: Path | None, split: str, seed: int) -> Dataset:
    """Fashion-MNIST, 28x28 grayscale clothing, from root or the Debian package."""
    if root is None and locate_fashion(None) is None:
        raise DataError(f"fashion-mnist: no root given and {FASHION_DEBIAN_DIR} is empty; install it with "
                        "`apt-get install dataset-fashion-mnist`, or pass root=DIR with download=True")
    return idx_dataset("fashion-mnist", root or FASHION_DEBIAN_DIR, split, FASHION_CLASSES)


def build_emnist(root: Path | None, split: str, seed: int, subset: str = "balanced") -> Dataset:
    """EMNIST (files emnist-SUBSET-{train,test}-...), transposed to upright; letters relabelled 0..25."""
    require(subset in EMNIST_CLASSES, f"emnist subset must be one of {sorted(EMNIST_CLASSES)}, got {subset!r}")
    root = require_root(root, "emnist", "emnist-SUBSET-{train,test}-{images-idx3,labels-idx1}-ubyte[.gz]")
    stem = f"emnist-{subset}-{split}"
    images = find_file(root, f"{stem}-images-idx3-ubyte", "emnist")
    labels = find_file(root, f"{stem}-labels-idx1-ubyte", "emnist")
    x, y = load_idx_pair(images, labels, "emnist")
    y = y.astype(np.int64) - (1 if subset == "letters" else 0)
    names = EMNIST_CLASSES[subset]
    if len(y) and (y.min() < 0 or y.max() >= len(names)):
        raise DataError(f"emnist: {labels} has labels outside 0..{len(names) - 1} for subset {subset!r}")
    x = np.ascontiguousarray(x.transpose(0, 2, 1))
    return Dataset(name="emnist", x=torch.from_numpy(x).unsqueeze(1), y=torch.from_numpy(y),
                   class_names=list(names), info={"files": [str(images), str(labels)], "subset": subset})


def _locate_idx(root: Path | None, pattern: str = "train-images-idx3-ubyte*") -> Path | None:
    """root when it (or root/raw) holds files matching pattern, else None."""
    if root is None:
        return None
    return root if any(root.glob(pattern)) or any(root.glob(f"raw/{pattern}")) else None


_IDX_SOURCE = "IDX files {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] in root"

SPECS = [
    DatasetSpec(
        name="mnist", kind="image", description="MNIST handwritten digits, 28x28 grayscale, 10 classes",
        source=f"{_IDX_SOURCE}; download=True (--download) fetches them from the CVDF mirror "
               "(storage.googleapis.com/cvdf-datasets/mnist)",
        builder=build_mnist, options={}, locate=_locate_idx,
    ),
    DatasetSpec(
        name="fashion-mnist", kind="image", description="Fashion-MNIST clothing, 28x28 grayscale, 10 classes",
        source=f"{_IDX_SOURCE}; without root, Debian's `apt-get install dataset-fashion-mnist` "
               f"({FASHION_DEBIAN_DIR}); or download=True (--download) from Zalando's S3 bucket",
        builder=build_fashion, options={}, locate=locate_fashion,
    ),
    DatasetSpec(
        name="kmnist", kind="image", description="Kuzushiji-MNIST cursive Japanese, 28x28 grayscale, 10 classes",
        source=f"{_IDX_SOURCE}; download=True (--download) fetches them from codh.rois.ac.jp",
        builder=build_kmnist, options={}, locate=_locate_idx,
    ),
    DatasetSpec(
        name="emnist", kind="image", description="EMNIST letters and digits, 28x28 grayscale (subset option)",
        source="IDX files emnist-SUBSET-{train,test}-{images-idx3,labels-idx1}-ubyte[.gz] in root, from the "
               "'gzip.zip' archive on nist.gov (download by hand and unzip into root)",
        builder=build_emnist, options={"subset": "balanced"},
        locate=lambda root: _locate_idx(root, "emnist-*-train-images-idx3-ubyte*"),
    ),
]
