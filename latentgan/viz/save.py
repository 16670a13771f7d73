"""Writing pictures atomically: matplotlib figures and Pillow images go through one in-memory PNG buffer."""

from __future__ import annotations

import io
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from latentgan.files import atomic_write


def new_figure(width: float, height: float, dpi: int = 100) -> Figure:
    """A figure of width x height inches drawn by Agg.

    Built without pyplot so that no global figure list leaks memory and the caller's backend is untouched.
    """
    fig = Figure(figsize=(width, height), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save_png_bytes(data: bytes, path: str | Path) -> Path:
    """Write encoded PNG bytes to path atomically (readers never see half a picture)."""
    path = Path(path)
    atomic_write(path, lambda f: f.write(data))
    return path


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Render a matplotlib figure to PNG in memory, then write it atomically."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return save_png_bytes(buffer.getvalue(), path)


def save_image(image: Image.Image, path: str | Path) -> Path:
    """Encode a Pillow image as PNG in memory, then write it atomically."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return save_png_bytes(buffer.getvalue(), path)
