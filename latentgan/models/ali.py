"""ALI / BiGAN (Dumoulin et al. 2017; Donahue et al. 2017): an encoder and a decoder trained against one
discriminator on joint pairs (x, z), so that (x, G_z(x)) and (G_x(z), z) become indistinguishable.

BiGAN is the same model with a deterministic encoder and a uniform prior; it is registered as "bigan".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor, nn

from latentgan import rng
from latentgan.errors import ConfigError
from latentgan.losses import get_loss
from latentgan.models.base import DataShape, GenerativeModel, optimizer_step
from latentgan.models.registry import register_model
from latentgan.models.tempering import attach_lens, lens_config_dict, lens_update
from latentgan.nn import INIT_SCHEMES, MLP, check_init_std, init_weights
from latentgan.nn.ali_tables import TABLES, table_decoder, table_discriminator_parts, table_encoder
from latentgan.nn.conditioning import Conditioned, LinearEmbedding, condition_vector
from latentgan.nn.eval_mode import eval_mode
from latentgan.nn.joint_discriminator import JointDiscriminator
from latentgan.nn.priors import PRIORS

ENCODERS = ("gaussian", "deterministic")
UPDATES = ("alternating", "simultaneous")
D_BATCHING = ("separate", "joint")
ALI_LOSSES = ("ns", "minimax", "lsgan")  # losses with a (real, fake) form whose labels can be swapped
_AUTO_TABLE = {28: "mnist28", 32: "cifar32", 64: "celeba64"}


@dataclass
class ALIConfig:
    """ALI hyperparameters. `arch: auto` picks an MLP for points and the appendix table for the resolution.

    arch: auto | mlp | mnist28 | svhn32 | cifar32 | celeba64. width_scale multiplies the tables' feature
    maps; d_dropout / maxout_pieces null keep the table's values (MLP: no dropout, no maxout).
    conditional: Eq. 7, y (labels one-hot, or attribute vectors of y_dim; default y_dim = the data's
    class count) linearly embedded (y_embed_dim) into the encoder, decoder and discriminator inputs.
    """

    name: str = "ali"
    encoder: str = "gaussian"
    prior: str = "normal"
    arch: str = "auto"
    latent_dim: int = 64
    hidden: list[int] = field(default_factory=lambda: [128, 128, 128])
    width_scale: float = 1.0
    d_dropout: float | None = None
    maxout_pieces: int | None = None
    d_batch_norm: bool = True
    loss: str = "ns"
    update: str = "alternating"
    # "separate": D sees encoder pairs and decoder pairs in two passes; "joint": in one batch, as the authors' code
    # does, so D's batch norm normalises over real and fake pairs together.
    d_batch: str = "separate"
    init: str = "auto"
    # The std of init "normal" / "dcgan" (null: the scheme's own, 0.01 / 0.02); the ALI paper's grid draws it at
    # random per run (section 4.5).
    init_std: float | None = None
    lr_g: float = 1e-4
    lr_d: float = 1e-4
    # The paper prints beta_2 = 1e-3 for Adam, which we read as a misprint; we keep the usual 0.999.
    betas: list[float] = field(default_factory=lambda: [0.5, 0.999])
    conditional: bool = False
    y_dim: int | None = None
    y_embed_dim: int = 16
    # Semi-supervised (Salimans et al.'s K+1 classes, no feature matching): D gives K class logits and the
    # "real" logit is their logsumexp; labelled_examples > 0 training examples (class-balanced, chosen by
    # train.seed) also teach D their class on encoder pairs (x, G_z(x)), weighted by class_weight.
    labelled_examples: int = 0
    class_weight: float = 1.0
    # Tempering lens (Sajjadi et al. 2018) on the x-branch: D sees (L(x), G_z(x)) for real pairs while the
    # encoder still reads x; e.g. {k: 10000, width: 32}; null = no lens.
    lens: dict | None = None
    # ALICE (Li et al., "ALICE: Towards Understanding the Adversarial Learning of Joint Distributions", NeurIPS
    # 2017), beyond ALI and off by default: the encoder+decoder loss adds recon_weight * ||x - G_x(G_z(x))||^2
    # (ALICE-l2, explicit cycle consistency in x) and cycle_weight * ||z - G_z(G_x(z))||^2 (the same in z),
    # each a mean over elements, so that codes keep what identifies x (ALI alone need not: Li et al., section 3).
    recon_weight: float = 0.0
    cycle_weight: float = 0.0
    # The decoder's output bias (tables only): "channel", one per channel at 0 (the paper's table); "data", one
    # per pixel set from the training data's mean image at the start of a run, as the authors' code does.
    output_bias: str = "channel"

    def validate(self) -> None:
        """Refuse values the model cannot use, naming the valid choices."""
        choices = {"encoder": ENCODERS, "prior": PRIORS, "update": UPDATES, "loss": ALI_LOSSES,
                   "d_batch": D_BATCHING,
                   "arch": ("auto", "mlp", *TABLES)}
        for key, valid in choices.items():
            if getattr(self, key) not in valid:
                raise ConfigError(f"model.{key} '{getattr(self, key)}' is unknown; choose one of: {', '.join(valid)}")
        if self.init != "auto" and self.init not in INIT_SCHEMES:
            raise ConfigError(f"model.init '{self.init}' is unknown; choose auto or one of: {', '.join(INIT_SCHEMES)}")
        check_init_std(self.init, self.init_std)
        if self.latent_dim < 1 or self.width_scale <= 0 or not self.hidden or min(self.hidden) < 1:
            raise ConfigError("model.latent_dim and model.hidden widths must be >= 1 and model.width_scale > 0")
        if self.d_dropout is not None and not 0 <= self.d_dropout < 1:
            raise ConfigError(f"model.d_dropout must be in [0, 1) or null, got {self.d_dropout}")
        if self.maxout_pieces is not None and self.maxout_pieces < 0:
            raise ConfigError(f"model.maxout_pieces must be >= 0 or null, got {self.maxout_pieces}")
        if min(self.lr_g, self.lr_d) <= 0:
            raise ConfigError(f"learning rates must be positive, got lr_g={self.lr_g}, lr_d={self.lr_d}")
        if len(self.betas) != 2 or not all(0 <= b < 1 for b in self.betas):
            raise ConfigError(f"model.betas must be two numbers in [0, 1), got {self.betas}")
        if self.y_embed_dim < 1 or (self.y_dim is not None and self.y_dim < 1):
            raise ConfigError("model.y_embed_dim and model.y_dim must be >= 1 (y_dim null: the data's classes)")
        if self.labelled_examples < 0 or self.class_weight < 0:
            raise ConfigError("model.labelled_examples and model.class_weight must be >= 0 (0 labels: unsupervised)")
        if self.output_bias not in ("channel", "data"):
            raise ConfigError(f"model.output_bias '{self.output_bias}' is unknown; choose one of: channel, data")
        if self.recon_weight < 0 or self.cycle_weight < 0:
            raise ConfigError(f"model.recon_weight and model.cycle_weight must be >= 0 (0: plain ALI), got "
                              f"{self.recon_weight} and {self.cycle_weight}")
        if self.labelled_examples and self.conditional:
            raise ConfigError("model.labelled_examples (semi-supervised D) and model.conditional exclude each "
                              "other; set one of them off")
        self.lens = lens_config_dict(self.lens)  # so config.yaml records every lens setting


@dataclass
class BiGANConfig(ALIConfig):
    """BiGAN's defaults: a deterministic encoder and a uniform prior on [-1, 1]^d."""

    name: str = "bigan"
    encoder: str = "deterministic"
    prior: str = "uniform"


def resolve_arch(cfg: ALIConfig, shape: DataShape) -> str:
    """The architecture name for this data: 'mlp' or a table name whose resolution matches the images."""
    arch = cfg.arch
    if arch == "auto":
        if not shape.is_image:
            return "mlp"
        arch = _AUTO_TABLE.get(shape.sample_shape[1], "")
        if not arch:
            raise ConfigError(f"no ALI table for {shape.sample_shape[1]} px images; use 28, 32 or 64 px or arch mlp")
        return arch
    if arch != "mlp":
        if not shape.is_image or shape.sample_shape[1:] != (TABLES[arch].resolution,) * 2:
            raise ConfigError(f"model.arch '{arch}' needs {TABLES[arch].resolution} px images, got data of shape "
                              f"{shape.sample_shape}; use arch auto")
    return arch


def condition_dim(cfg: ALIConfig, shape: DataShape) -> int:
    """The size of y for a conditional model (0 when unconditional)."""
    if not cfg.conditional:
        return 0
    y_dim = cfg.y_dim or shape.num_classes
    if not y_dim:
        raise ConfigError("model.conditional needs labelled data or model.y_dim (the attribute vector's length)")
    return y_dim


def discriminator_outputs(cfg: ALIConfig, shape: DataShape) -> int:
    """1 logit per pair, or one per class for the semi-supervised discriminator."""
    if not cfg.labelled_examples:
        return 1
    if not shape.num_classes:
        raise ConfigError("model.labelled_examples needs labelled data (a dataset with classes)")
    return shape.num_classes


def build_networks(cfg: ALIConfig, shape: DataShape) -> tuple[nn.Module, nn.Module, JointDiscriminator]:
    """(encoder (N, ...) -> (N, k * latent), decoder (N, latent) -> (N, ...), joint discriminator).

    Conditional: encoder and decoder are `Conditioned` (called with y), and D embeds y beside z.
    """
    arch, d, y_dim = resolve_arch(cfg, shape), cfg.latent_dim, condition_dim(cfg, shape)
    outputs = discriminator_outputs(cfg, shape)
    e = cfg.y_embed_dim if y_dim else 0
    enc_out = d * (2 if cfg.encoder == "gaussian" else 1)
    out_act = "tanh" if shape.value_range[0] < 0 else "sigmoid"
    if arch == "mlp":
        dim = int(torch.Size(shape.sample_shape).numel())
        act = out_act if shape.is_image else None
        encoder = MLP(dim + e, enc_out, cfg.hidden, activation="leaky_relu")
        decoder = MLP(d + e, dim, cfg.hidden, activation="relu", out_activation=act)
        # As in the paper's 2-D experiment: the GAN's discriminator, reading concat(x, z).
        head = MLP(dim + d + e, outputs, cfg.hidden, activation="leaky_relu", dropout=cfg.d_dropout or 0.0,
                   maxout_pieces=cfg.maxout_pieces or 0)
        parts: tuple[nn.Module, ...] = (nn.Flatten(), nn.Identity(), head)
    else:
        table, channels = TABLES[arch], shape.sample_shape[0]
        encoder = table_encoder(table, channels + e, enc_out, cfg.width_scale)
        decoder = table_decoder(table, d + e, channels, out_act, cfg.width_scale, cfg.output_bias == "data")
        parts = table_discriminator_parts(table, channels, d + e, cfg.width_scale, cfg.d_dropout,
                                          cfg.maxout_pieces, cfg.d_batch_norm, outputs)
    if not y_dim:
        return encoder, decoder, JointDiscriminator(*parts)
    flat = arch == "mlp"
    return (Conditioned(encoder, y_dim, e, flatten=flat), Conditioned(decoder, y_dim, e),
            JointDiscriminator(*parts, embedding=LinearEmbedding(y_dim, e)))


@register_model("ali", ALIConfig, "ALI: Gaussian encoder, decoder and a joint discriminator D(x, z)")
class ALI(GenerativeModel):
    """Encoder G_z, decoder G_x and joint discriminator D; one step = one D update and one G_z+G_x update."""

    averaged_networks = ("encoder", "decoder")

    def __init__(self, config: ALIConfig, data_shape: DataShape):
        super().__init__(config, data_shape)
        self.loss = get_loss(config.loss)
        self.arch, self.y_dim = resolve_arch(config, data_shape), condition_dim(config, data_shape)
        if config.output_bias == "data" and self.arch == "mlp":
            raise ConfigError("model.output_bias=data needs a table decoder (model.arch mnist28, svhn32, cifar32 or "
                              "celeba64); set model.output_bias=channel for MLPs")
        # auto: the paper's N(0, 0.01) for the tables; PyTorch's default for MLPs (as the GAN does).
        init = config.init if config.init != "auto" else ("default" if self.arch == "mlp" else "normal")
        encoder, decoder, discriminator = build_networks(config, data_shape)
        self.encoder = init_weights(encoder, init, config.init_std)
        self.decoder = init_weights(decoder, init, config.init_std)
        self.discriminator = init_weights(discriminator, init, config.init_std)
        betas = tuple(config.betas)
        generator_params = [*self.encoder.parameters(), *self.decoder.parameters()]
        self.optimizers = {
            "generator": torch.optim.Adam(generator_params, config.lr_g, betas=betas),
            "discriminator": torch.optim.Adam(self.discriminator.parameters(), config.lr_d, betas=betas),
        }
        # Semi-supervised: the labelled examples live in the model (set by initialize, saved in state_dict),
        # so every D step can draw a labelled batch however rare labels are in the data.
        self.classes = discriminator_outputs(config, data_shape) if config.labelled_examples else 0
        self.register_buffer("labelled_x", torch.zeros(0, *data_shape.sample_shape))
        self.register_buffer("labelled_y", torch.zeros(0, dtype=torch.long))
        # Built last from a forked RNG: encoder, decoder and D start the same with and without a lens.
        self.lens_config, self.lens = attach_lens(self.optimizers, config.lens, data_shape, config.lr_d, betas)

    def initialize(self, data) -> None:
        """output_bias=data: the decoder starts at the data's mean image. Semi-supervised: keep a class-balanced
        subset of model.labelled_examples training examples."""
        if self.config.output_bias == "data":
            self._set_output_bias(data)
        if not self.classes:
            return
        from latentgan.data.label_subsets import balanced_label_subsets

        wanted = self.config.labelled_examples
        if data.y is None or wanted > len(data):
            kind = "labelled" if data.y is not None else "unlabelled"
            raise ConfigError(f"model.labelled_examples={wanted} needs that many labelled training examples; the "
                              f"data has {len(data)} {kind} ones")
        chosen = torch.as_tensor(balanced_label_subsets(data.y.cpu().numpy(), wanted, 1, seed=0)[0])
        x, y, _ = data.batch(chosen.to(data.x.device))
        self.labelled_x = x.to(self.device).clone()
        self.labelled_y = y.to(self.device).long().clone()

    def _set_output_bias(self, data) -> None:
        """Set the decoder's PixelBias so that its output before any training is the mean training image."""
        from latentgan.nn.pixel_bias import PixelBias

        biases = [m for m in self.decoder.modules() if isinstance(m, PixelBias)]
        activation = "tanh" if self.data_shape.value_range[0] < 0 else "sigmoid"
        biases[0].set_from_mean(data.x.float().mean(dim=0).to(biases[0].bias.device), activation)

    def extra_state(self) -> dict:
        """How many labelled examples the model keeps, so a checkpoint can size their buffers."""
        return {"labelled": int(self.labelled_y.numel())}

    def load_extra_state(self, state: dict) -> None:
        """Size the labelled buffers like the checkpoint's."""
        n = int(state.get("labelled", 0))
        self.labelled_x = torch.zeros(n, *self.data_shape.sample_shape, device=self.labelled_x.device)
        self.labelled_y = torch.zeros(n, dtype=torch.long, device=self.labelled_y.device)

    def real_logit(self, out: Tensor) -> Tensor:
        """D's real-vs-fake logit (N, 1): the output itself, or logsumexp of the K class logits (Salimans et al.)."""
        return out.logsumexp(dim=1, keepdim=True) if self.classes else out

    @torch.no_grad()
    def classify(self, x: Tensor) -> Tensor:
        """Semi-supervised ALI's class predictions (N,): argmax of D's class logits on (x, E(x)), eval mode."""
        if not self.classes:
            raise ValueError("classify needs a semi-supervised ALI (model.labelled_examples > 0)")
        with eval_mode(self.encoder, self.discriminator):
            return self.discriminator(x.to(self.device), self._encode(x.to(self.device))).argmax(dim=1)

    @torch.no_grad()
    def joint_logits(self, x: Tensor, z: Tensor) -> Tensor:
        """D's real-vs-fake logits (N,) on pairs (x, z), every network in eval mode (unconditional models)."""
        if self.y_dim:
            raise ValueError("joint_logits needs an unconditional ALI (this one's D also reads y)")
        with eval_mode(self.discriminator, *([self.lens] if self.lens is not None else [])):
            return self.real_logit(self.discriminator(self.apply_lens(x.to(self.device)), z.to(self.device))).flatten()

    @property
    def condition_dim(self) -> int:
        """y_dim: the label or attribute vector's length when conditional, else 0."""
        return int(self.y_dim or 0)

    def condition(self, y: Tensor | None) -> Tensor | None:
        """Labels (N,) or vectors (N, y_dim) -> (N, y_dim) floats on the model's device; None if unconditional."""
        if not self.y_dim:
            return None
        if y is None:
            raise ValueError("this ALI is conditional: pass y, labels (N,) or vectors (N, y_dim)")
        return condition_vector(y.to(self.device), self.y_dim)

    def _run(self, net: nn.Module, inputs: Tensor, y: Tensor | None) -> Tensor:
        return net(inputs) if not self.y_dim else net(inputs, self.condition(y))

    def encoder_output(self, x: Tensor, y: Tensor | None = None) -> tuple[Tensor, Tensor | None]:
        """x: (N, ...) -> (mu, log_sigma), each (N, latent_dim); log_sigma is None for a deterministic encoder."""
        out = self._run(self.encoder, x, y)
        if self.config.encoder == "deterministic":
            return out, None
        mu, log_sigma = out.chunk(2, dim=1)
        return mu, log_sigma

    def infer(self, x: Tensor, y: Tensor | None = None, generator: torch.Generator | None = None) -> Tensor:
        """A draw z ~ q(z | x), (N, latent_dim): mu + sigma * eps (reparametrised, so gradients reach sigma)."""
        mu, log_sigma = self.encoder_output(x, y)
        if log_sigma is None:
            return mu
        eps = rng.randn(mu.shape, generator, mu.device, mu.dtype)
        return mu + log_sigma.exp() * eps

    def _encode(self, x: Tensor, y: Tensor | None = None) -> Tensor:
        """x: (N, ...) in the data range -> codes (N, latent_dim): the posterior mean for a Gaussian encoder."""
        return self.encoder_output(x, y)[0]

    def probe_features(self, x: Tensor) -> Tensor:
        """Encoder features for probes (paper section 4.3): its last three hidden layers and the code, flattened.

        The MLP and conditional encoders give their code alone.
        """
        if self.y_dim or self.arch == "mlp":
            return self._encode(x)
        hidden, h = [], x
        for layer in self.encoder:
            h = layer(h)
            hidden.append(h.flatten(1))
        # The encoder ends in the code's 1x1 conv and a Flatten, so hidden[-5:-2] are its last three hidden rows.
        mu = hidden[-1][:, :self.config.latent_dim]
        return torch.cat([*hidden[-5:-2], mu], dim=1)

    def _decode(self, z: Tensor, y: Tensor | None = None) -> Tensor:
        """z: (N, latent_dim) -> x: (N, ...) in the data range (y: (N,) labels or (N, y_dim) if conditional)."""
        return self._run(self.decoder, z, y).view(z.shape[0], *self.data_shape.sample_shape)

    def apply_lens(self, x: Tensor) -> Tensor:
        """L(x) for real images x, what D sees beside G_z(x); x itself without a lens."""
        return x if self.lens is None else self.lens(x)

    def _scores(self, x: Tensor, shown: Tensor, z: Tensor, y: Tensor | None) -> tuple[Tensor, Tensor]:
        """D's logits on encoder pairs (L(x), G_z(x)) and decoder pairs (G_x(z), z), each (N, 1); shown = L(x)."""
        return self._pair_logits(shown, self.infer(x, y), self._decode(z, y), z, self.condition(y))

    def _pair_logits(self, x_real: Tensor, z_real: Tensor, x_fake: Tensor, z_fake: Tensor,
                     c: Tensor | None) -> tuple[Tensor, Tensor]:
        """D's logits on encoder pairs and on decoder pairs, in two passes or one batch (model.d_batch)."""
        if self.config.d_batch == "separate":
            return (self.real_logit(self.discriminator(x_real, z_real, c)),
                    self.real_logit(self.discriminator(x_fake, z_fake, c)))
        both = self.real_logit(self.discriminator(torch.cat([x_real, x_fake]), torch.cat([z_real, z_fake]),
                                                  None if c is None else torch.cat([c, c])))
        return both[:x_real.shape[0]], both[x_real.shape[0]:]

    def _generator_loss(self, real: Tensor, fake: Tensor) -> Tensor:
        # The paper's non-saturating form: D's own loss with the labels swapped (encoder pairs as "fake").
        if self.loss.name == "minimax":
            return -self.loss.discriminator(real, fake)
        return self.loss.discriminator(fake, real)

    def training_step(self, batch, step: int) -> dict[str, Tensor]:
        """One D update and one encoder+decoder update, alternating (default) or simultaneous."""
        # Conditional: both pairs use the batch's y, the empirical p(y) of Eq. 7.
        x, y = batch[0], batch[1] if self.y_dim else None
        z = self.random_codes(x.shape[0])
        with torch.set_grad_enabled(self.lens is not None):
            lensed = self.apply_lens(x)  # one lens forward serves D, G and the lens's own update
        shown = lensed.detach()
        if self.config.update == "simultaneous":
            logs = self._simultaneous_step(x, shown, z, y)
        else:
            logs = {"d_loss": self._discriminator_step(x, shown, z, y),
                    "g_loss": self._generator_step(x, shown, z, y)}
        if self.lens is not None:
            logs.update(self._lens_step(x, lensed, y, step))
        return logs

    def _lens_step(self, x: Tensor, lensed: Tensor, y: Tensor | None, step: int) -> dict[str, Tensor]:
        """The lens against the updated joint D on encoder pairs: lambda * L_A(D(L(x), G_z(x))) + ||x - L(x)||^2."""
        with torch.no_grad():
            z_hat = self.infer(x, y)
        c = self.condition(y)
        return lens_update(self.optimizers["lens"], self.lens_config, self.config.loss, self.discriminator,
                           lambda shown: self.real_logit(self.discriminator(shown, z_hat, c)), x, lensed, step)

    def _discriminator_step(self, x: Tensor, shown: Tensor, z: Tensor, y: Tensor | None) -> Tensor:
        c = self.condition(y)
        with torch.no_grad():
            z_hat, x_tilde = self.infer(x, y), self._decode(z, y)
        loss = self.loss.discriminator(*self._pair_logits(shown, z_hat, x_tilde, z, c))
        if self.classes and self.labelled_y.numel():
            loss = loss + self.config.class_weight * self._class_loss(x.shape[0])
        optimizer_step(self.optimizers["discriminator"], loss)
        return loss.detach()

    def _class_loss(self, n: int) -> Tensor:
        """Cross-entropy of D's class logits on encoder pairs of a random labelled batch."""
        pick = torch.randint(self.labelled_y.numel(), (min(n, self.labelled_y.numel()),), device=self.device)
        x = self.labelled_x[pick]
        with torch.no_grad():
            z_hat, shown = self.infer(x), self.apply_lens(x)
        return nn.functional.cross_entropy(self.discriminator(shown, z_hat), self.labelled_y[pick])

    def _generator_step(self, x: Tensor, shown: Tensor, z: Tensor, y: Tensor | None) -> Tensor:
        self.discriminator.requires_grad_(False)  # D's parameters take no gradient from G's loss
        try:
            loss = self._generator_loss(*self._scores(x, shown, z, y)) + self._alice_terms(x, z, y)
            optimizer_step(self.optimizers["generator"], loss)
        finally:
            self.discriminator.requires_grad_(True)
        return loss.detach()

    def _alice_terms(self, x: Tensor, z: Tensor, y: Tensor | None) -> Tensor | float:
        """ALICE's cycle terms (Li et al. 2017): recon_weight * MSE(x, G_x(G_z(x))) + cycle_weight *
        MSE(z, G_z(G_x(z))); 0.0 without drawing any random number when both weights are 0 (plain ALI)."""
        loss: Tensor | float = 0.0
        if self.config.recon_weight:
            loss = loss + self.config.recon_weight * nn.functional.mse_loss(self._decode(self.infer(x, y), y), x)
        if self.config.cycle_weight:
            loss = loss + self.config.cycle_weight * nn.functional.mse_loss(self.infer(self._decode(z, y), y), z)
        return loss

    def _simultaneous_step(self, x: Tensor, shown: Tensor, z: Tensor, y: Tensor | None) -> dict[str, Tensor]:
        # One forward pass; each player's gradient comes from its own loss, then both step (the authors' code).
        real, fake = self._scores(x, shown, z, y)
        d_loss = self.loss.discriminator(real, fake)
        g_loss = self._generator_loss(real, fake) + self._alice_terms(x, z, y)  # D's gradient is d_loss's alone
        if self.classes and self.labelled_y.numel():
            d_loss = d_loss + self.config.class_weight * self._class_loss(x.shape[0])
        d_params = list(self.discriminator.parameters())
        g_params = [*self.encoder.parameters(), *self.decoder.parameters()]
        d_grads = torch.autograd.grad(d_loss, d_params, retain_graph=True)
        g_grads = torch.autograd.grad(g_loss, g_params)
        for params, grads, name in ((d_params, d_grads, "discriminator"), (g_params, g_grads, "generator")):
            for p, g in zip(params, grads, strict=True):
                p.grad = g
            self.optimizers[name].step()
            self.optimizers[name].zero_grad(set_to_none=True)
        return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach()}

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None, y: Tensor | None = None,
               z: Tensor | None = None) -> Tensor:
        """n samples G_x(z, y) in the data range, decoder in eval mode; z (n, latent_dim) from the prior unless given.

        Conditional: y (n,) labels or (n, y_dim) vectors; uniform random labels when None. Fixed z with varying
        y shows what the condition controls (the paper's Figure 7).
        """
        z = self.random_codes(n, generator) if z is None else z.to(self.device)
        if self.y_dim and y is None:
            y = rng.randint(0, self.y_dim, (n,), generator, self.device)
        with eval_mode(self.decoder):
            return self._decode(z, y)

    @torch.no_grad()
    def _reconstruct(self, x: Tensor, y: Tensor | None = None) -> Tensor:
        """G_x(E[G_z(x)]): (N, ...) -> (N, ...), encoder and decoder in eval mode."""
        with eval_mode(self.encoder, self.decoder):
            return self._decode(self._encode(x, y), y)


register_model("bigan", BiGANConfig, "BiGAN: ALI with a deterministic encoder and a uniform prior")(ALI)
