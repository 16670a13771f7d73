"""`latentgan interpolate RUN A.png B.png --steps 8 --out strip.png`: decoded path between two images' codes."""

from __future__ import annotations

from pathlib import Path

import torch

from latentgan.commands.common import open_model, require_images, require_suffix
from latentgan.data.base import to_unit_range
from latentgan.images import read_image
from latentgan.viz.grid import save_image_grid


def interpolate_images(run_dir: str | Path, image_a: str | Path, image_b: str | Path, out: str | Path,
                       steps: int = 8, mode: str = "linear", device: str | None = None, fit: str = "crop",
                       live_weights: bool = False) -> Path:
    """One row of `steps` images decoded along the path between the codes of image_a and image_b."""
    out = require_suffix(out, (".png",), "a picture")
    model = open_model(run_dir, device, live_weights)
    require_images(model, "interpolate")
    a, b = read_image(image_a, model, fit), read_image(image_b, model, fit)
    strip = model.interpolate(a, b, steps=steps, mode=mode)
    ends = model.check_data(torch.stack([a, b])).cpu()
    row = torch.cat([ends[:1], strip.cpu(), ends[1:]])  # the two inputs frame the decoded path
    save_image_grid(to_unit_range(row, model.data_shape.value_range), out, nrow=row.shape[0])
    return out
