"""The dataset registry: every loadable dataset by name, and the one validated entry point load_dataset."""

from __future__ import annotations

import numbers
from pathlib import Path
from typing import Any

from latentgan.data import celeba, cifar, folder, idx, mixtures, mnist5k, stacked, svhn
from latentgan.data.base import DataError, Dataset
from latentgan.data.download import REMOTES
from latentgan.data.download import download as download_files
from latentgan.data.resize import pad_to as pad_images
from latentgan.data.resize import resize as resize_images
from latentgan.data.spec import DatasetSpec

__all__ = ["DATASETS", "DatasetSpec", "dataset_info", "load_dataset"]

_FAMILIES = (mixtures, mnist5k, idx, stacked, cifar, svhn, celeba, folder)
DATASETS: dict[str, DatasetSpec] = {spec.name: spec for family in _FAMILIES for spec in family.SPECS}


def get_spec(name: str) -> DatasetSpec:
    """The registered spec, or a DataError listing the known dataset names."""
    if name not in DATASETS:
        raise DataError(f"unknown dataset {name!r}; known datasets: {', '.join(sorted(DATASETS))}")
    return DATASETS[name]


def _format_options(options: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in options.items()) or "none"


def _coerce(value: Any, default: Any) -> Any:
    """value converted to the default's type (strings from a command line included), else ValueError."""
    kind = type(default)
    if kind is bool:
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
            return value.lower() in ("true", "1", "yes")
        if isinstance(value, bool):
            return value
    elif kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            return int(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
    elif kind is float:
        if isinstance(value, (int, float, str)) and not isinstance(value, bool):
            return float(value)
    elif kind is str and isinstance(value, str):
        return value
    raise ValueError(value)


def resolve_options(spec: DatasetSpec, options: dict[str, Any]) -> dict[str, Any]:
    """Defaults overridden by the given options, each checked to be allowed and of the right type."""
    unknown = sorted(set(options) - set(spec.options))
    if unknown:
        raise DataError(f"unknown option {unknown[0]!r} for dataset {spec.name!r}; "
                        f"allowed options (with defaults): {_format_options(spec.options)}")
    resolved = dict(spec.options)
    for key, value in options.items():
        try:
            resolved[key] = _coerce(value, spec.options[key])
        except (ValueError, TypeError):
            raise DataError(f"option {key}={value!r} of dataset {spec.name!r} must be a "
                            f"{type(spec.options[key]).__name__} (default {spec.options[key]!r})") from None
    return resolved


def _check_size(label: str, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise DataError(f"{label} must be a positive integer or None, got {value!r}")


def check_common(spec: DatasetSpec, split: str, seed: int, value_range: tuple[float, float],
                 pad_to: int | None, resize: int | None, limit: int | None) -> None:
    """Check the arguments every dataset shares: split, seed, value_range, pad_to, resize, limit."""
    if split not in spec.splits:
        raise DataError(f"dataset {spec.name!r} has no split {split!r}; choose one of {', '.join(spec.splits)}")
    try:
        lo, hi = (float(v) for v in value_range)
    except (TypeError, ValueError):
        raise DataError(f"value_range must be two numbers (low, high), got {value_range!r}") from None
    if not lo < hi:
        raise DataError(f"value_range must have low < high, got {value_range!r}; use (-1, 1) or (0, 1)")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise DataError(f"seed must be a non-negative integer, got {seed!r}")
    for label, value in (("pad_to", pad_to), ("resize", resize), ("limit", limit)):
        _check_size(label, value)
    if spec.kind != "image" and (pad_to is not None or resize is not None):
        raise DataError(f"pad_to and resize apply to images; {spec.name!r} is a {spec.kind} dataset")


def _root_path(spec: DatasetSpec, root: str | Path | None, download: bool) -> Path | None:
    """root as a Path, created when downloading; a DataError when it names nothing."""
    if root is None or str(root) == "":
        if download:
            raise DataError(f"download=True needs a directory to download {spec.name!r} into: pass --data-root DIR "
                            "(or set data.root)")
        return None
    path = Path(root).expanduser()
    if download:
        path.mkdir(parents=True, exist_ok=True)
    elif not path.exists() and spec.locate is not None:
        raise DataError(f"root {path} does not exist; give the directory holding the {spec.name} files, or "
                        f"pass download=True (--download) where supported. Source: {spec.source}")
    return path


def apply_geometry(ds: Dataset, limit: int | None, resize: int | None, pad_to: int | None) -> Dataset:
    """Keep the first `limit` examples, then resize, then zero-pad the images."""
    if limit is not None:
        ds.x = ds.x[:limit]
        ds.y = None if ds.y is None else ds.y[:limit]
    if resize is not None:
        ds.x = resize_images(ds.x, resize)
    if pad_to is not None:
        ds.x = pad_images(ds.x, pad_to)
    return ds


def load_dataset(name: str, *, root: str | Path | None = None, split: str = "train", seed: int = 0,
                 value_range: tuple[float, float] = (-1.0, 1.0), pad_to: int | None = None,
                 resize: int | None = None, limit: int | None = None, download: bool = False,
                 **options: Any) -> Dataset:
    """Load a registered dataset, validated: images uint8 (N, C, H, W), points float32 (N, D).

    limit keeps the first N examples; resize (bilinear, antialiased) then pad_to (centred zeros)
    change the image size. download=True first fetches missing files into root (mnist,
    fashion-mnist, kmnist, cifar10, svhn). Every user error raises DataError saying how to fix it.
    """
    spec = get_spec(name)
    resolved = resolve_options(spec, options)
    check_common(spec, split, seed, value_range, pad_to, resize, limit)
    path = _root_path(spec, root, download)
    if download:
        download_files(name, path, split)
    seed = int(seed)
    loader = {"load": load_dataset} if spec.derived else {}  # derived datasets read their source through us
    ds = spec.builder(path, split, seed, **resolved, **loader)
    ds = apply_geometry(ds, limit, resize, pad_to)
    ds.value_range = (float(value_range[0]), float(value_range[1]))
    ds.info.update({"dataset": name, "split": split, "seed": seed, "options": resolved,
                    "pad_to": pad_to, "resize": resize, "limit": limit})
    return ds


def _local_status(spec: DatasetSpec, root: Path | None) -> str:
    if spec.locate is None:
        return "built in (generated or bundled; no files needed)"
    found = spec.locate(root)
    if found is not None:
        return f"found at {found}"
    return f"not found {'in ' + str(root) if root else '(no root given)'}"


def dataset_info(name: str, root: str | Path | None = None) -> str:
    """A multi-line description: kind, splits, options with defaults, source, download, local files."""
    spec = get_spec(name)
    path = Path(root).expanduser() if root else None
    lines = [
        f"{spec.name}: {spec.description}",
        f"  kind:     {spec.kind}",
        f"  splits:   {', '.join(spec.splits)}",
        f"  options:  {_format_options(spec.options)}",
        f"  source:   {spec.source}",
        f"  download: {'supported (download=True, --download)' if name in REMOTES else 'not supported'}",
        f"  local:    {_local_status(spec, path)}",
    ]
    return "\n".join(lines)
