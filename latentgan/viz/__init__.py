"""Pictures of samples: image grids and 2-D scatter plots."""

from latentgan.viz.grid import image_grid, save_image_grid
from latentgan.viz.points import save_points_plot

__all__ = ["image_grid", "save_image_grid", "save_points_plot"]
