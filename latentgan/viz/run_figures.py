"""The pictures a report shows for a trained model, drawn into RUN_DIR/plots/ by what the model can do."""

from __future__ import annotations

from pathlib import Path

import torch

from latentgan.config import RunConfig
from latentgan.metrics.context import EvalContext
from latentgan.models.base import GenerativeModel
from latentgan.viz.interpolation import save_interpolation_grid
from latentgan.viz.latent_scatter import save_latent_scatter
from latentgan.viz.points import save_points_by_mode
from latentgan.viz.reconstruction import save_encoder_pictures


def draw_run_figures(model: GenerativeModel, config: RunConfig, run_dir: Path, seed: int = 0) -> list[Path]:
    """Draw every picture that applies: mode scatter, interpolations, reconstructions, latent scatter."""
    plots = Path(run_dir) / "plots"
    ctx = EvalContext(model, config, seed=seed, run_dir=run_dir)
    data = ctx.data()
    written = []
    if data.modes is not None:
        written.append(save_points_by_mode(ctx.samples(2500), data.modes, data.mode_std, plots / "points_by_mode.png",
                                           real=data.x[:2500].cpu(), title="samples coloured by nearest mode"))
    if data.is_image and model.can("decode"):
        codes = model.random_codes(16, torch.Generator(device=model.device).manual_seed(seed)).view(8, 2, -1)
        written.append(save_interpolation_grid(model.decode, codes, plots / "interpolation_random.png",
                                               value_range=tuple(data.value_range)))
    if model.encoding is not None:
        written += _encoder_figures(model, ctx, plots)
    return written


@torch.no_grad()
def _encoder_figures(model: GenerativeModel, ctx: EvalContext, plots: Path) -> list[Path]:
    """Reconstructions and real-image interpolations (images), and the latent scatter by label."""
    heldout = ctx.data("heldout")
    value_range = tuple(heldout.value_range)
    x, y, _ = heldout.batch(torch.arange(min(len(heldout), 1000)))
    x = x.to(model.device)
    codes = model.encode(x)
    written = []
    if heldout.is_image:
        written += save_encoder_pictures(model.decode, x, codes, value_range, plots / "reconstructions.png",
                                         plots / "interpolation_real.png", recon_n=32, pairs=8)
    labels = y.cpu() if y is not None and y.dim() == 1 else None
    written.append(save_latent_scatter(codes.cpu(), labels, plots / "latent_scatter.png",
                                       class_names=getattr(heldout, "class_names", None)))
    return written
