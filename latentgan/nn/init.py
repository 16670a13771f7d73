"""Weight initialisation schemes, applied to every conv, linear and normalisation layer."""

from __future__ import annotations

from collections.abc import Callable

from torch import Tensor, nn
from torch.nn.utils import parametrize

from latentgan.errors import ConfigError

# The negative slope assumed by "he": the house default for leaky ReLU.
HE_SLOPE = 0.2

_WEIGHTED = (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d,
             nn.Linear)
_NORMS = (nn.modules.batchnorm._BatchNorm, nn.GroupNorm, nn.LayerNorm, nn.modules.instancenorm._InstanceNorm)

_WEIGHT_INITS: dict[str, Callable[[Tensor], object]] = {
    "he": lambda w: nn.init.kaiming_normal_(w, a=HE_SLOPE, mode="fan_in", nonlinearity="leaky_relu"),
    "xavier": nn.init.xavier_uniform_,
}
# The isotropic Gaussian schemes and their standard deviation, which `init_weights(..., std=)` may replace.
GAUSSIAN_STDS: dict[str, float] = {
    "normal": 0.01,  # ALI / IVE-GAN: isotropic N(0, 0.01)
    "dcgan": 0.02,  # Radford et al. (2015)
}

INIT_SCHEMES: tuple[str, ...] = (*_WEIGHT_INITS, *GAUSSIAN_STDS, "default")


def _weight_of(module: nn.Module) -> Tensor:
    """The trainable weight tensor, looking through parametrizations such as spectral norm."""
    if parametrize.is_parametrized(module, "weight"):
        return module.parametrizations.weight.original
    return module.weight


def init_weights(module: nn.Module, scheme: str = "dcgan", std: float | None = None) -> nn.Module:
    """Initialise `module` in place and return it.

    Conv/ConvTranspose/Linear weights follow `scheme` and their biases become 0. Affine
    normalisation layers get weight 1 (N(1, 0.02) under "dcgan") and bias 0. "default" keeps
    PyTorch's initialisation untouched. `std` replaces the standard deviation of a Gaussian scheme
    ("normal", "dcgan"); None keeps the scheme's own.
    """
    if scheme not in INIT_SCHEMES:
        raise ValueError(f"unknown init scheme {scheme!r}; choose one of {', '.join(INIT_SCHEMES)}")
    if std is not None and (scheme not in GAUSSIAN_STDS or not std > 0):
        raise ValueError(f"std={std} needs a Gaussian scheme ({', '.join(GAUSSIAN_STDS)}) and a value > 0, "
                         f"got scheme {scheme!r}")
    if scheme == "default":
        return module
    weight_init = _gaussian(std or GAUSSIAN_STDS[scheme]) if scheme in GAUSSIAN_STDS else _WEIGHT_INITS[scheme]
    for m in module.modules():
        if isinstance(m, _WEIGHTED):
            weight_init(_weight_of(m))
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, _NORMS) and getattr(m, "weight", None) is not None:
            _init_norm(m, scheme)
    return module


def check_init_std(scheme: str, std: float | None) -> None:
    """Refuse a model.init_std that is not > 0 or that comes without a Gaussian model.init (one ConfigError line)."""
    if std is not None and (scheme not in GAUSSIAN_STDS or not std > 0):
        raise ConfigError(f"model.init_std={std} needs model.init {' or '.join(GAUSSIAN_STDS)} and a value > 0 (got "
                          f"model.init={scheme}); set model.init=normal, or leave model.init_std null")


def _gaussian(std: float) -> Callable[[Tensor], object]:
    return lambda w: nn.init.normal_(w, 0.0, std)


def _init_norm(m: nn.Module, scheme: str) -> None:
    if scheme == "dcgan":
        nn.init.normal_(m.weight, 1.0, 0.02)
    else:
        nn.init.ones_(m.weight)
    if m.bias is not None:
        nn.init.zeros_(m.bias)


# Modules that decide a layer's scheme in init_by_activation: leaky ReLU takes He, any other activation Xavier.
_ACTIVATIONS = (nn.LeakyReLU, nn.ReLU, nn.Tanh, nn.Sigmoid, nn.ELU, nn.Softplus, nn.Identity, nn.Hardtanh)


def init_by_activation(module: nn.Module) -> nn.Module:
    """He for a layer whose output feeds a leaky ReLU (with that unit's slope), Xavier for one feeding another
    activation or none ("LReLU-layer: He, else: Xavier", IVE-GAN Tables 1-3); biases 0, norms weight 1.

    The activation is the next one after the layer in registration order, past norms, dropout and reshapes.
    """
    leaves = [m for m in module.modules() if not list(m.children())]
    for i, m in enumerate(leaves):
        if isinstance(m, _NORMS) and getattr(m, "weight", None) is not None:
            _init_norm(m, "he")
        if not isinstance(m, _WEIGHTED):
            continue
        follower = next((f for f in leaves[i + 1:] if isinstance(f, (*_ACTIVATIONS, *_WEIGHTED))), None)
        if isinstance(follower, nn.LeakyReLU):
            nn.init.kaiming_normal_(_weight_of(m), a=follower.negative_slope, mode="fan_in",
                                    nonlinearity="leaky_relu")
        else:
            nn.init.xavier_uniform_(_weight_of(m))
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    return module
