"""Pictures of samples, latent spaces, curves and runs, saved as PNG files; loaded lazily (PEP 562).

save.py, grid.py and points.py only draw and write files, so the trainer can use them; importing one of them
does not load the report or run figures, which read run directories.
"""

from __future__ import annotations

import importlib

_LAZY = {
    "save_metric_curves": "latentgan.viz.curves",
    "image_grid": "latentgan.viz.grid",
    "save_image_grid": "latentgan.viz.grid",
    "interpolate_codes": "latentgan.viz.interpolation",
    "save_interpolation_grid": "latentgan.viz.interpolation",
    "save_latent_scatter": "latentgan.viz.latent_scatter",
    "save_points_by_mode": "latentgan.viz.points",
    "save_points_over_steps": "latentgan.viz.points",
    "save_points_plot": "latentgan.viz.points",
    "save_reconstruction_grid": "latentgan.viz.reconstruction",
    "write_report": "latentgan.viz.report",
    "save_figure": "latentgan.viz.save",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    """Import the module that defines a public name on first use."""
    if name not in _LAZY:
        raise AttributeError(f"module 'latentgan.viz' has no attribute '{name}'")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value
