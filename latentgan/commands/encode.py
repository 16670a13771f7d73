"""`latentgan encode RUN IMAGES --out codes.npz`: a user's images to the model's codes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from latentgan.commands.common import in_batches, open_model, require_images, require_suffix
from latentgan.errors import CapabilityError
from latentgan.images import load_folder


def encode_images(run_dir: str | Path, inputs: str | Path, out: str | Path, device: str | None = None,
                  fit: str = "crop", live_weights: bool = False) -> tuple[Path, str]:
    """Write codes (N, latent_dim) and file names of the images in `inputs` to out (.npz); return it and a note.

    Labels are stored only where the images' labels are known: never for a user's folder, so the npz has none.
    """
    out = require_suffix(out, (".npz",), "a numpy archive of codes and file names")
    model = open_model(run_dir, device, live_weights)
    require_images(model, "encode")
    if model.encoding is None:
        raise CapabilityError(f"the {model.name} model has no encoder, so it cannot encode images; "
                              "train ali, bigan, ive-gan, vae, glo or pca for codes of real images")
    if model.conditional:
        raise CapabilityError(f"this {model.name} run is conditional: its encoder needs each image's label, "
                              "which a folder of images does not carry")
    folder = load_folder(inputs, like=model, fit=fit)
    codes = in_batches(model.encode, folder.images).cpu().numpy()
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(out, codes=codes, names=np.array(folder.names))
    return out, folder.describe()
