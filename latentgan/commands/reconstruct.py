"""`latentgan reconstruct RUN IMAGES --out grid.png|DIR`: a user's images through encode and decode."""

from __future__ import annotations

from pathlib import Path

from latentgan.commands.common import in_batches, open_model, require_images
from latentgan.data.base import to_unit_range
from latentgan.errors import CapabilityError
from latentgan.images import load_folder, save_png_folder, to_uint8
from latentgan.viz.reconstruction import save_reconstruction_grid

GRID_LIMIT = 64  # a grid shows the first 64 pairs; a folder gets every reconstruction


def reconstruct_images(run_dir: str | Path, inputs: str | Path, out: str | Path, device: str | None = None,
                       fit: str = "crop", live_weights: bool = False) -> tuple[Path, str]:
    """Reconstructions of the images in `inputs`: a .png grid (original beside reconstruction) or a folder."""
    out = Path(out)
    if out.suffix and out.suffix.lower() != ".png":
        raise CapabilityError(f"--out must be a .png grid or a folder (no suffix), got '{out}'")
    model = open_model(run_dir, device, live_weights)
    require_images(model, "reconstruct")
    if model.encoding is None or model.conditional:
        raise CapabilityError(f"this {model.name} run cannot reconstruct a folder of images: it has no encoder, "
                              "or (conditional) its encoder needs each image's label")
    folder = load_folder(inputs, like=model, fit=fit)
    recon = in_batches(model.reconstruct, folder.images).cpu()
    value_range = model.data_shape.value_range
    if out.suffix.lower() == ".png":
        x = model.check_data(folder.images[:GRID_LIMIT]).cpu()
        save_reconstruction_grid(to_unit_range(x, value_range), to_unit_range(recon[:GRID_LIMIT], value_range), out)
    else:
        save_png_folder(to_uint8(recon, value_range), out, folder.names)
    return out, folder.describe()
