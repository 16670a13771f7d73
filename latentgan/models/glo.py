"""Generative Latent Optimization (Bojanowski et al.): a generator and one free code per training image.

Codes live in a table indexed by the dataset index and are learned jointly with the generator by SGD on a
reconstruction loss, projected back onto the unit sphere (or ball) after every update. The table's gradient
is sparse and its optimizer keeps no state, so a step costs the same for a thousand or a million codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor, nn

from latentgan.errors import ConfigError
from latentgan.latent import project_codes
from latentgan.losses import reconstruction_loss
from latentgan.models.base import DataShape, GenerativeModel
from latentgan.models.inversion import invert
from latentgan.models.registry import register_model
from latentgan.nn import DCGANGenerator, init_weights
from latentgan.nn.eval_mode import eval_mode
from latentgan.nn.frozen import frozen
from latentgan.nn.precision import fp32
from latentgan.samplers import SAMPLERS, GaussianMixtureSampler, fit_sampler

GLO_LOSSES = ("l2", "lap1", "l2+lap1")
PROJECTIONS = ("sphere", "ball")
CODE_INITS = ("random", "pca")
OPTIMIZERS = ("sgd", "adam")


@dataclass
class GLOConfig:
    """GLO hyperparameters; the paper's plain SGD (codes lr 10 on the batch-mean loss; generator 0.3, not 1)."""

    name: str = "glo"
    latent_dim: int = 32
    width: int = 32
    g_batch_norm: bool = True
    loss: str = "lap1"
    loss_weights: dict = field(default_factory=lambda: {"l2": 1.0, "lap1": 1.0})  # used by loss l2+lap1
    projection: str = "ball"  # reconstructs a little better than "sphere" (docs/glo-projection.md)
    code_init: str = "pca"
    optimizer: str = "sgd"  # for the generator; codes always use plain sparse SGD
    lr_g: float = 0.3  # the paper's 1.0 reconstructs worse at 28 px (docs/results.md)
    lr_codes: float = 10.0
    momentum: float = 0.0  # generator only
    sampler: str = "gaussian"
    gmm_components: int = 10
    encode_steps: int = 200
    encode_lr: float = 0.05

    def validate(self) -> None:
        """Refuse values the model cannot use, naming the valid choices."""
        for key, value, choices in (("loss", self.loss, GLO_LOSSES), ("projection", self.projection, PROJECTIONS),
                                    ("code_init", self.code_init, CODE_INITS), ("optimizer", self.optimizer,
                                    OPTIMIZERS), ("sampler", self.sampler, SAMPLERS)):
            if value not in choices:
                raise ConfigError(f"model.{key} '{value}' is unknown; choose one of: {', '.join(choices)}")
        if set(self.loss_weights) - {"l2", "lap1"} or any(float(w) < 0 for w in self.loss_weights.values()):
            raise ConfigError(f"model.loss_weights takes non-negative l2 and lap1 weights, got {self.loss_weights}")
        if min(self.latent_dim, self.width, self.gmm_components, self.encode_steps) < 1:
            raise ConfigError("model.latent_dim, width, gmm_components and encode_steps must be at least 1")
        if min(self.lr_g, self.lr_codes, self.encode_lr) <= 0 or not 0 <= self.momentum < 1:
            raise ConfigError("GLO learning rates must be positive and model.momentum in [0, 1)")


def pca_codes(x: Tensor, dim: int) -> Tensor:
    """Whitened PCA of the pixels: x (N, ...) -> (N, dim), each component of unit variance (zero past the rank)."""
    from latentgan.models.pca import fit_pca

    mean, components, variances = fit_pca(x.flatten(1), dim)
    return (x.flatten(1).float() - mean) @ components.T / variances.sqrt().clamp_min(1e-6)


ENCODE_CANDIDATES = 512  # table codes decoded once per encode call to pick each image's starting point


@register_model("glo", GLOConfig, "Generative Latent Optimization: a DCGAN generator and one learned code per image")
class GLO(GenerativeModel):
    """Generator + code table (N, d). `initialize(data)` sizes and fills the table; it is then part of state_dict."""

    averaged_networks = ("generator",)  # the code table is data, not a network to smooth
    encoding = "optimisation"  # encode runs model.encode_steps Adam steps per batch of images

    def __init__(self, config: GLOConfig, data_shape: DataShape):
        super().__init__(config, data_shape)
        if not data_shape.is_image:
            raise ConfigError("GLO needs image data (its generator is a DCGAN); pick an image dataset")
        channels, resolution = data_shape.sample_shape[0], data_shape.sample_shape[1]
        out_activation = "tanh" if data_shape.value_range[0] < 0 else "sigmoid"
        self.generator = init_weights(DCGANGenerator(config.latent_dim, channels, resolution, config.width,
                                                     config.g_batch_norm, out_activation), "dcgan")
        # Sized by initialize() or load_extra_state(); sparse=True makes backward produce only the batch's rows.
        self.codes = nn.Embedding(0, config.latent_dim, sparse=True)
        params = self.generator.parameters()
        self.optimizers = {
            "generator": (torch.optim.SGD(params, config.lr_g, momentum=config.momentum) if config.optimizer == "sgd"
                          else torch.optim.Adam(params, config.lr_g, betas=(0.5, 0.999))),
            "codes": torch.optim.SGD(self.codes.parameters(), config.lr_codes),  # no momentum: no dense state
        }
        self._sampler: GaussianMixtureSampler | None = None

    @property
    def num_codes(self) -> int:
        """N, the number of training images with a code."""
        return self.codes.num_embeddings

    def resize_codes(self, n: int) -> None:
        """Make the table (n, d), keeping the same Parameter so the optimizer still holds it."""
        weight = self.codes.weight
        weight.data = torch.zeros(n, self.config.latent_dim, device=weight.device, dtype=weight.dtype)
        self.codes.num_embeddings = n
        self._sampler = None

    def initialize(self, data) -> None:
        """Fresh run: one code per example of data, Gaussian or whitened PCA of the pixels, projected."""
        self.set_codes(self.initial_codes(data.scale(data.x), self.config.code_init))

    def initial_codes(self, x: Tensor, kind: str) -> Tensor:
        """Codes (N, d) for images x before projection: N(0, I) draws or whitened PCA scores."""
        if kind == "pca":
            return pca_codes(x.cpu(), self.config.latent_dim)
        return torch.randn(x.shape[0], self.config.latent_dim)

    @torch.no_grad()
    def set_codes(self, codes: Tensor) -> None:
        """Replace the whole table with codes (N, d), projected."""
        self.resize_codes(codes.shape[0])
        self.codes.weight.copy_(project_codes(codes.to(self.codes.weight), self.config.projection))

    def extra_state(self) -> dict:
        """The table's size, so a checkpoint can rebuild it before loading the weights."""
        return {"num_codes": self.num_codes}

    def load_extra_state(self, state: dict) -> None:
        """Size the table like the checkpoint's."""
        if "num_codes" in state and state["num_codes"] != self.num_codes:
            self.resize_codes(int(state["num_codes"]))

    def _generate(self, z: Tensor) -> Tensor:
        return self.generator(z).view(z.shape[0], *self.data_shape.sample_shape)

    def _decode(self, z: Tensor) -> Tensor:
        """Images (N, C, H, W) from codes z: (N, d), projected as in training first (so any z is a valid code)."""
        return self._generate(project_codes(z, self.config.projection))

    def loss(self, recon: Tensor, x: Tensor, reduction: str = "mean") -> Tensor:
        """The configured reconstruction loss in float32 (also under bf16 autocast); (N,) with reduction='none'."""
        with fp32(recon):
            return reconstruction_loss(self.config.loss, self.config.loss_weights, recon.float(), x.float(), reduction)

    def training_step(self, batch, step: int) -> dict[str, Tensor]:
        """One joint SGD step on the generator and the batch's codes, then project those codes."""
        if self.num_codes == 0:
            raise RuntimeError("GLO has no codes: call model.initialize(data) before training")
        x, _, index = batch
        # Batch-mean loss as in the paper: a code's step is lr_codes / B times its own image's gradient.
        loss = self.loss(self._generate(self.codes(index)), x)
        for opt in self.optimizers.values():
            opt.zero_grad(set_to_none=True)
        loss.backward()
        for opt in self.optimizers.values():
            opt.step()
        with torch.no_grad():
            # The rows the step moved: this batch's, and under torchrun the other processes' batches' too.
            grad = self.codes.weight.grad
            # Uncoalesced indices: repeated rows project to the same value, and coalescing would wait for the GPU.
            rows = grad._indices()[0] if grad is not None and grad.is_sparse else index
            self.codes.weight[rows] = project_codes(self.codes.weight[rows], self.config.projection)
        self._sampler = None
        return {"loss": loss.detach()}

    def sampler(self) -> GaussianMixtureSampler:
        """The configured Gaussian (or mixture) fitted to the current codes, refitted after training steps."""
        if self._sampler is None:
            self._sampler = fit_sampler(self.codes.weight, self.config.sampler, self.config.gmm_components)
        return self._sampler

    def random_codes(self, n: int, generator: torch.Generator | None = None,
                     device: torch.device | str | None = None) -> Tensor:
        """n codes (n, latent_dim) from the Gaussian (mixture) fitted to the learned codes, on the CPU generator."""
        return self.sampler().sample(n, generator).float().to(self.device if device is None else device)

    def training_codes(self) -> Tensor | None:
        """The learned code of every training image, (N, latent_dim); None before initialize."""
        return self.codes.weight.detach() if self.num_codes > 0 else None

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """n images: codes drawn from the fitted sampler, projected, decoded in eval mode."""
        z = self.sampler().sample(n, generator).to(self.device, torch.float32)
        with eval_mode(self.generator):
            return self._decode(z)

    def _encode(self, x: Tensor) -> Tensor:
        """Codes (N, d) for images x (N, C, H, W): Adam on the codes against the frozen generator, projected,
        each image starting from the learned code whose image is nearest to it (see `start_codes`).

        Cost: encode_steps (default 200) forward and backward passes of the generator per batch of 500 images,
        plus one decode of up to 512 table codes; a forward-pass encoder costs one pass."""
        with torch.enable_grad(), frozen(self.generator), eval_mode(self.generator):
            return invert(self._decode, x, self.start_codes(x), loss=self.config.loss,
                          loss_weights=self.config.loss_weights, steps=self.config.encode_steps,
                          lr=self.config.encode_lr, projection=self.config.projection)

    @torch.no_grad()
    def start_codes(self, x: Tensor, candidates: int = ENCODE_CANDIDATES) -> Tensor:
        """For each image, the table code (among up to `candidates` evenly spaced rows) decoding nearest in pixels.

        A single shared start can sit where the generator is flat: the codes' mean lies near the origin when
        they spread over the sphere, and there every ReLU after the first batch norm may be off (zero gradient).
        """
        table = self.codes.weight.detach()
        rows = torch.linspace(0, table.shape[0] - 1, min(candidates, table.shape[0])).round().long()
        pool = table[rows.to(table.device)]
        with eval_mode(self.generator):
            images = torch.cat([self._decode(chunk) for chunk in pool.split(256)]).flatten(1)
        nearest = torch.cat([torch.cdist(chunk.flatten(1).to(images), images).argmin(1) for chunk in x.split(256)])
        return pool[nearest]

    def _reconstruct(self, x: Tensor) -> Tensor:
        """Images decoded from the codes `encode` finds for them: (N, C, H, W) -> (N, C, H, W), eval mode."""
        with eval_mode(self.generator):
            z = self._encode(x)
            with torch.no_grad():
                return self._decode(z)
