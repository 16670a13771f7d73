"""Images crossing the explorer's HTTP boundary: model tensors to PNG bytes, uploaded PNG/JPEG bytes to tensors."""

from __future__ import annotations

import base64
import io

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError
from torch import Tensor

from latentgan.data.base import to_unit_range
from latentgan.inputs import check_examples

ACCEPTED_FORMATS = ("PNG", "JPEG")
# Pillow modes that hold exactly the channels a model reads, by channel count; anything else (alpha,
# palettes, CMYK, 16-bit) is refused rather than silently converted, so the user sees what the model sees.
MODES_FOR_CHANNELS = {1: ("L", "1"), 3: ("RGB",)}


class ImageRefused(ValueError):
    """An uploaded file is not an image the model can read; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def to_uint8(images: Tensor, value_range: tuple[float, float]) -> np.ndarray:
    """images: (N, C, H, W) in value_range -> uint8 (N, H, W, C), rounded as `viz.grid.image_grid` rounds."""
    unit = to_unit_range(images.detach().float().cpu(), value_range)
    return (unit.permute(0, 2, 3, 1).numpy() * 255.0 + 0.5).astype(np.uint8)


def png_bytes(pixels: np.ndarray) -> bytes:
    """One uint8 image (H, W, C) with C = 1 or 3 -> PNG file bytes."""
    image = Image.fromarray(pixels[..., 0] if pixels.shape[-1] == 1 else pixels)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def data_urls(images: Tensor, value_range: tuple[float, float]) -> list[str]:
    """images: (N, C, H, W) in value_range -> N `data:image/png;base64,...` URLs for <img src>."""
    return ["data:image/png;base64," + base64.b64encode(png_bytes(p)).decode("ascii")
            for p in to_uint8(images, value_range)]


def pixels_of_data_url(url: str) -> np.ndarray:
    """The uint8 pixels (H, W, C) of a PNG data URL (the inverse of `data_urls`, for tests and scripts)."""
    head, _, payload = url.partition(",")
    if head != "data:image/png;base64":
        raise ValueError(f"not a PNG data URL: {url[:40]!r}")
    with Image.open(io.BytesIO(base64.b64decode(payload))) as image:
        pixels = np.asarray(image)
    return pixels[..., None] if pixels.ndim == 2 else pixels


def read_upload(data: bytes, shape: tuple[int, int, int], value_range: tuple[float, float]) -> Tensor:
    """PNG/JPEG bytes -> (1, C, H, W) in value_range; refuses other formats, channel counts and sizes.

    Images are never resized or converted: a wrong size or mode is answered with what the model needs.
    """
    channels, height, width = shape
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format, mode, size = image.format, image.mode, image.size
            if image_format not in ACCEPTED_FORMATS:
                raise ImageRefused(f"only PNG or JPEG images are accepted, this is {image_format}", status=415)
            image.load()  # decode now: a truncated file fails here, not later
            pixels = np.asarray(image.convert("L") if mode == "1" else image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        if isinstance(e, ImageRefused):
            raise
        raise ImageRefused("the file is not a readable PNG or JPEG image", status=415) from e
    kind = "grayscale (1 channel)" if channels == 1 else "RGB (3 channels)"
    if mode not in MODES_FOR_CHANNELS.get(channels, ()):
        raise ImageRefused(f"this model reads {kind} images; the upload is Pillow mode {mode} — save it as "
                           f"{kind} without transparency")
    if size != (width, height):
        raise ImageRefused(f"this model reads {width}x{height} px images; the upload is {size[0]}x{size[1]} px "
                           "(resize it first; the explorer does not resize)")
    array = torch.from_numpy(pixels.reshape(height, width, channels).copy()).permute(2, 0, 1)
    return check_examples(array.unsqueeze(0), shape, value_range)  # the same check and scaling as model.encode
