"""Models: each file one method; importing this package registers them all."""

from latentgan.models.base import DataShape, GenerativeModel
from latentgan.models.gan import GAN, GANConfig  # noqa: F401  (other models register on import)
from latentgan.models.registry import MODELS, get_model_entry, register_model

__all__ = ["DataShape", "GenerativeModel", "GAN", "GANConfig", "MODELS", "get_model_entry", "register_model"]
