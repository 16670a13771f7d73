"""CelebA aligned faces with their 40 binary attributes; decoded images are cached as a .pt file."""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

import torch

from latentgan.cache import cache_dir
from latentgan.data.base import DataError, Dataset
from latentgan.data.images import load_images
from latentgan.data.spec import DatasetSpec, require, require_root

IMAGES_DIR = "img_align_celeba"
ATTR_FILE = "list_attr_celeba.txt"
PARTITION_FILE = "list_eval_partition.txt"
SPLIT_CODES = {"train": {"0"}, "valid": {"1"}, "test": {"2"}, "all": {"0", "1", "2"}}
RESOLUTIONS = (32, 64, 128)
CROP_FRACTION = 140 / 178  # the usual 140x140 centre crop of the 178x218 aligned images
_CACHE_VERSION = 1


def read_attributes(path: Path) -> tuple[list[str], dict[str, list[float]]]:
    """Attribute names and, per file name, its 40 values mapped from {-1, 1} to {0, 1}."""
    lines = _read_lines(path)
    if len(lines) < 2 or not (lines[0].strip().isascii() and lines[0].strip().isdigit()):
        raise DataError(f"{path}: expected a count line then the attribute names")
    names, rows = lines[1].split(), {}
    for number, line in enumerate(lines[2:], start=3):
        fields = line.split()
        if len(fields) != len(names) + 1 or any(v not in ("1", "-1") for v in fields[1:]):
            raise DataError(f"{path}, line {number}: expected a file name and {len(names)} values of 1 or -1, "
                            f"got {line.strip()[:60]!r}")
        rows[fields[0]] = [1.0 if v == "1" else 0.0 for v in fields[1:]]
    if int(lines[0]) != len(rows):
        raise DataError(f"{path} announces {int(lines[0])} images but lists {len(rows)}; the file is truncated")
    return names, rows


def read_partition(path: Path, split: str) -> list[str]:
    """File names of the split from list_eval_partition.txt (0 train, 1 valid, 2 test), in file order."""
    chosen = []
    for number, line in enumerate(_read_lines(path), start=1):
        fields = line.split()
        if len(fields) != 2 or fields[1] not in ("0", "1", "2"):
            raise DataError(f"{path}, line {number}: expected 'FILENAME 0|1|2', got {line.strip()!r}")
        if fields[1] in SPLIT_CODES[split]:
            chosen.append(fields[0])
    return chosen


def _read_lines(path: Path) -> list[str]:
    if not path.is_file():
        raise DataError(f"celeba: {path.name} not found in {path.parent}; download CelebA's "
                        f"'Anno' and 'Eval' files by hand and place them there")
    try:
        text = path.read_text(encoding="ascii")
    except UnicodeDecodeError as err:
        raise DataError(f"{path} is not a plain-text CelebA list (byte {err.start} is not ASCII); download it "
                        "again") from err
    return [line for line in text.splitlines() if line.strip()]


def cache_path(root: Path, split: str, resolution: int) -> Path:
    """The cache file for this root (and its partition file's version), split and resolution."""
    stat = (root / PARTITION_FILE).stat()
    identity = f"{root.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    key = hashlib.sha256(identity.encode()).hexdigest()[:12]
    return cache_dir("datasets") / f"celeba-{key}-{split}-{resolution}-v{_CACHE_VERSION}.pt"


def save_atomically(tensor: torch.Tensor, path: Path) -> None:
    """Write a tensor to a temp file beside path, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    os.close(handle)
    try:
        torch.save(tensor, temp)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.remove(temp)


def read_cache(path: Path) -> object | None:
    """The cached object, or None when the file is damaged (it is then rebuilt, never trusted)."""
    try:
        return torch.load(path, weights_only=True)
    except (RuntimeError, OSError, EOFError, ValueError, pickle.UnpicklingError):
        return None


def cached_images(files: list[Path], cache: Path | None, resolution: int) -> torch.Tensor:
    """Decoded images (N, 3, r, r), from the cache when it matches, else decoded and cached."""
    expected = (len(files), 3, resolution, resolution)
    if cache is not None and cache.is_file():
        x = read_cache(cache)
        if isinstance(x, torch.Tensor) and tuple(x.shape) == expected and x.dtype == torch.uint8:
            return x
    x = load_images(files, resolution, 3, CROP_FRACTION)
    if cache is not None:
        save_atomically(x, cache)
    return x


def build_celeba(root: Path | None, split: str, seed: int, resolution: int = 64, cache: bool = True) -> Dataset:
    """CelebA faces (N, 3, r, r) centre-cropped 140/178 and resized; y = 40 attributes in {0, 1}."""
    require(resolution in RESOLUTIONS, f"celeba resolution must be one of {RESOLUTIONS}, got {resolution}")
    root = require_root(root, "celeba", f"{IMAGES_DIR}/, {ATTR_FILE} and {PARTITION_FILE}")
    if not (root / IMAGES_DIR).is_dir():
        raise DataError(f"celeba: {root / IMAGES_DIR} not found; download img_align_celeba.zip by hand "
                        f"(CelebA's Google Drive) and unzip it into {root}")
    names, attributes = read_attributes(root / ATTR_FILE)
    chosen = read_partition(root / PARTITION_FILE, split)
    require(bool(chosen), f"celeba: {PARTITION_FILE} lists no images for split {split!r}")
    unlisted = next((f for f in chosen if f not in attributes), None)
    require(unlisted is None, f"celeba: {unlisted} is in {PARTITION_FILE} but not in {ATTR_FILE}")
    files = [root / IMAGES_DIR / f for f in chosen]
    absent = next((f for f in files if not f.is_file()), None)
    require(absent is None, f"celeba: image {absent} listed in {PARTITION_FILE} is missing; unzip again")
    x = cached_images(files, cache_path(root, split, resolution) if cache else None, resolution)
    y = torch.tensor([attributes[f] for f in chosen], dtype=torch.float32)
    return Dataset(name="celeba", x=x, y=y, class_names=names, info={"root": str(root)})


SPECS = [
    DatasetSpec(
        name="celeba", kind="image",
        description="CelebA aligned celebrity faces, RGB 32/64/128, y = 40 binary attributes",
        source=f"{IMAGES_DIR}/ (000001.jpg ...), {ATTR_FILE} and {PARTITION_FILE} in root, downloaded by hand "
               "from the CelebA page (mmlab.ie.cuhk.edu.hk/projects/CelebA.html); decoded images are cached "
               "in $LATENTGAN_CACHE or ~/.cache/latentgan",
        builder=build_celeba, options={"resolution": 64, "cache": True}, splits=("train", "valid", "test", "all"),
        locate=lambda root: root if root is not None and (root / IMAGES_DIR).is_dir() else None,
    ),
]
