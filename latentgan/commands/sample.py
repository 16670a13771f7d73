"""`latentgan sample RUN --n N --out FILE.png|FILE.pt|FILE.npz|DIR/`: samples as a grid, tensor, archive or PNGs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from latentgan.commands.common import open_model, require_images
from latentgan.data.base import to_unit_range
from latentgan.errors import InputError
from latentgan.images import save_png_folder, to_uint8

SUFFIXES = (".png", ".pt", ".npz")


def sample_run(run_dir: str | Path, n: int, out: str | Path, seed: int = 0, device: str | None = None,
               live_weights: bool = False) -> Path:
    """Draw n samples with seed and write them as out says: .png picture, .pt tensor, .npz images + codes, DIR/.

    The .npz holds `images` (uint8 for image models, floats for points) and `codes`, the model's random_codes
    drawn with the same seed, which are the codes `sample` decoded for every model that draws its codes first
    (all but a conditional ALI's labels and IVE-GAN's noise z0, which are not stored).
    """
    if n < 1:
        raise InputError(f"--n must be at least 1, got {n}")
    out_text = str(out)
    out = Path(out)
    folder = out_text.endswith(("/", "\\")) or (not out.suffix and not out.is_file())
    if not folder and out.suffix.lower() not in SUFFIXES:
        raise InputError(f"--out must end in .png (a picture), .pt (a tensor), .npz (images and codes) or be a "
                         f"folder (DIR/, one PNG per sample), got '{out}'")
    model = open_model(run_dir, device, live_weights)
    if folder:
        require_images(model, "sample --out DIR/")
    generator = torch.Generator(device=model.device)
    samples = model.sample(n, generator=generator.manual_seed(seed)).cpu()
    value_range = model.data_shape.value_range
    if folder:
        save_png_folder(to_uint8(samples, value_range), out)
    elif out.suffix.lower() == ".pt":
        torch.save(samples, out)
    elif out.suffix.lower() == ".npz":
        codes = model.random_codes(n, generator.manual_seed(seed)).cpu().numpy()
        images = to_uint8(samples, value_range).numpy() if model.data_shape.is_image else samples.numpy()
        np.savez(out, images=images, codes=codes)
    elif model.data_shape.is_image:
        from latentgan.viz import save_image_grid

        save_image_grid(to_unit_range(samples, value_range), out)
    else:
        from latentgan.viz import save_points_plot

        save_points_plot(samples, out, title=f"{n} samples")
    return out
