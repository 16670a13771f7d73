"""Building-block networks: MLPs, maxout, DCGAN-style generators, discriminators and encoders."""

from latentgan.nn.activations import ACTIVATIONS, make_activation
from latentgan.nn.blocks import NORMS, ConvBlock, make_norm
from latentgan.nn.dcgan import RESOLUTIONS, DCGANDiscriminator, DCGANEncoder, DCGANGenerator
from latentgan.nn.init import INIT_SCHEMES, check_init_std, init_by_activation, init_weights
from latentgan.nn.lens import Lens
from latentgan.nn.maxout import Maxout
from latentgan.nn.mlp import MLP

__all__ = [
    "ACTIVATIONS",
    "INIT_SCHEMES",
    "MLP",
    "NORMS",
    "RESOLUTIONS",
    "ConvBlock",
    "DCGANDiscriminator",
    "DCGANEncoder",
    "DCGANGenerator",
    "Lens",
    "Maxout",
    "check_init_std",
    "init_by_activation",
    "init_weights",
    "make_activation",
    "make_norm",
]
