"""latentgan: generative models whose latent space is learned, inverted and structured."""

__version__ = "0.1.0"

from latentgan.api import build_model, load, load_data, resume, train  # noqa: E402
from latentgan.config import DataConfig, RunConfig, TrainConfig, load_config  # noqa: E402

__all__ = ["__version__", "build_model", "load", "load_data", "resume", "train", "DataConfig", "RunConfig",
           "TrainConfig", "load_config"]
