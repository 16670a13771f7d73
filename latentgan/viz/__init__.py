"""Pictures of samples, reconstructions, interpolations, latent codes and metrics, and the per-run HTML report."""

from latentgan.viz.curves import save_metric_curves
from latentgan.viz.grid import image_grid, save_image_grid
from latentgan.viz.interpolation import interpolate_codes, save_interpolation_grid
from latentgan.viz.latent_scatter import save_latent_scatter
from latentgan.viz.points import save_points_by_mode, save_points_over_steps, save_points_plot
from latentgan.viz.reconstruction import save_reconstruction_grid
from latentgan.viz.report import write_report
from latentgan.viz.save import save_figure

__all__ = ["image_grid", "interpolate_codes", "save_figure", "save_image_grid", "save_interpolation_grid",
           "save_latent_scatter", "save_metric_curves", "save_points_by_mode", "save_points_over_steps",
           "save_points_plot", "save_reconstruction_grid", "write_report"]
