"""What the image commands share: opening a run's model and checking output paths before any work is done."""

from __future__ import annotations

from pathlib import Path

from latentgan.errors import InputError
from latentgan.models.base import GenerativeModel

# Batches keep memory flat on a folder of thousands of images.
BATCH = 256


def open_model(run_dir: str | Path, device: str | None, live_weights: bool = False) -> GenerativeModel:
    """The run's model (averaged weights unless live_weights) on device (cpu by default), in eval mode."""
    from latentgan.run import Run

    return Run.open(run_dir).model(averaged=not live_weights, device=device or "cpu")


def require_suffix(out: str | Path, suffixes: tuple[str, ...], what: str) -> Path:
    """out as a Path if it ends in one of suffixes; else an InputError naming them (before anything is written)."""
    out = Path(out)
    if out.suffix.lower() not in suffixes:
        raise InputError(f"--out must end in {' or '.join(suffixes)} ({what}), got '{out}'")
    return out


def require_images(model: GenerativeModel, command: str) -> None:
    """Refuse point models for commands that read or write pictures."""
    if not model.data_shape.is_image:
        raise InputError(f"`latentgan {command}` works on image models; this {model.name} run models "
                         f"{model.data_shape.sample_shape[0]}-D points")


def in_batches(fn, x, batch: int = BATCH):
    """fn applied to x in batches of `batch` rows, concatenated."""
    import torch

    return torch.cat([fn(x[i:i + batch]) for i in range(0, x.shape[0], batch)])
