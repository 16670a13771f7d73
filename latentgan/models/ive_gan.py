"""IVE-GAN (invariant encoding GAN, ICLR 2018 submission): an encoder learned by telling transformed originals
T(x) from reconstructions G(z0, E(x)), both judged with the original x as condition.

Networks: encoder E(x) -> z, generator G(z0, z) with its own noise z0, and one shared feature network D_enc
under two heads: the conditional discriminator D(a, x) = head(concat(D_enc(a), D_enc(x))) and the unconditional
D0(x) = head0(D_enc(x)), which sees prior codes G(z0, z) so that the whole latent space generates (Eq. 3).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor, nn

from latentgan.data.transforms import RandomTransform, TransformConfig, isotropic_shift
from latentgan.errors import ConfigError
from latentgan.losses import get_loss
from latentgan.models.base import DataShape, GenerativeModel, optimizer_step
from latentgan.models.registry import register_model
from latentgan.models.tempering import attach_lens, lens_config_dict, lens_update
from latentgan.nn import INIT_SCHEMES, MLP, init_by_activation, init_weights
from latentgan.nn.eval_mode import eval_mode
from latentgan.nn.ive_tables import TABLES, TableGenerator, code_head, table_encoder, table_features
from latentgan.nn.priors import PRIORS, moment_penalty, sample_prior

IVE_LOSSES = ("minimax", "ns", "lsgan")
BATCHING = ("separate", "joint")
_TRANSFORM_KEYS = ("shift", "rotate", "flip", "brightness", "contrast", "hue", "point_std")
_AUTO_TABLE = {32: "mnist32", 128: "celeba128"}


@dataclass
class IVEGANConfig:
    """IVE-GAN hyperparameters; defaults follow Table 2 (MNIST) where the paper gives them.

    arch: auto | mlp | mnist32 | celeba128 (auto: Table 1's MLPs for points, the table matching the image size).
    transform: T(x), keys shift (px), rotate (deg), flip, brightness, contrast, hue (turns), and for 2-D points
    point_std (Sigma = point_std^2 I; null takes the mixture's own std, Eq. 4). d_features: width of D_enc's
    output (the tables use the code size; null). loss: minimax is Eq. 3 as written; ns is the usual
    non-saturating generator loss. init: auto (He for the image tables, Xavier for the MLPs), paper (Tables 1-3:
    He for every layer feeding a leaky ReLU, Xavier for the rest: E's tanh code, G's output, D's logits), or any
    library scheme.
    """

    name: str = "ive_gan"
    arch: str = "auto"
    latent_dim: int = 16
    noise_dim: int = 4
    prior: str = "uniform"
    noise_prior: str = "normal"
    loss: str = "minimax"
    hidden: list[int] = field(default_factory=lambda: [128])
    mlp_activation: str = "tanh"
    width_scale: float = 1.0
    d_features: int | None = None
    transform: dict = field(default_factory=lambda: {"shift": 4, "rotate": 20.0})
    init: str = "auto"
    lr_g: float = 2e-4
    lr_d: float = 1e-4
    betas: list[float] = field(default_factory=lambda: [0.7, 0.999])
    d_steps: int = 1
    # Beyond the paper (Reed et al. 2016's matching-aware discriminator): D also sees real but mismatched pairs
    # (T(x'), x) as fakes, so it must judge whether a matches x, not only whether a looks real.
    mismatched_pairs: bool = False
    # Beyond the paper: batch norm (no affine) on E's pre-tanh output. Nothing in Eq. 3 keeps E(x) where the prior
    # puts z, and at small budgets the tanh codes saturate at the cube's corners, where G (trained on prior draws
    # through D0) has never been and E's gradient vanishes; standardised codes tanh(N(0, 1)) stay in the cube's
    # bulk, spread like the uniform prior (std 0.63 vs 0.58).
    code_norm: bool = False
    # Beyond the paper: weight of a penalty on E's loss matching the batch mean and covariance of E(x) to the
    # prior's (0 = off). Eq. 3 never compares E(x) with z, and at small budgets the codes collapse onto a few
    # directions of the cube while G learns the rest from prior draws.
    code_moments: float = 0.0
    # Beyond the paper (ALICE's explicit reconstruction term, Li et al. 2017, added to ALI): weight of
    # MSE(G(0, E(x)), x) on E and G's loss (0 = off, Eq. 3 as written). At small budgets D wins the conditional game
    # and the reconstructions collapse onto a few patterns; this term gives E and G a signal that does not pass
    # through D. z0 = 0 is the noise's mean, so the term asks the mean variant to be x itself.
    recon_weight: float = 0.0
    # Tempering lens (Sajjadi et al. 2018) on the real images both discriminators see: D judges (L(T(x)), x)
    # and D0 judges L(x); conditions and E's inputs stay raw. e.g. {k: 10000, width: 32}; null = no lens.
    lens: dict | None = None
    # How G meets its two batches in a step (E(x) codes and prior codes z): "separate" calls G on each, so G's batch
    # norm normalises each batch by its own statistics and E's codes can drift anywhere without changing G's input
    # (issue 23: the gradient for a shift common to all E(x) is zero); "joint" calls G once on [E(x); z], so both
    # share one set of statistics. The paper gives no algorithm; Eq. 3 sums the two expectations.
    g_batch: str = "separate"
    # How D_enc meets [T(x), G(z0, E(x)), x, G(z0, z)]: "joint" one call on the concatenation (one set of batch-norm
    # statistics), "separate" one call per input.
    d_batch: str = "joint"

    def validate(self) -> None:
        """Refuse values the model cannot use, naming the valid choices."""
        choices = {"arch": ("auto", "mlp", *TABLES), "prior": PRIORS, "noise_prior": PRIORS, "loss": IVE_LOSSES,
                   "mlp_activation": ("tanh", "relu", "leaky_relu"), "g_batch": BATCHING, "d_batch": BATCHING}
        for key, valid in choices.items():
            if getattr(self, key) not in valid:
                raise ConfigError(f"model.{key} '{getattr(self, key)}' is unknown; choose one of: {', '.join(valid)}")
        if self.init not in ("auto", "paper", *INIT_SCHEMES):
            raise ConfigError(f"model.init '{self.init}' is unknown; choose auto, paper or one of: "
                              f"{', '.join(INIT_SCHEMES)}")
        if self.latent_dim < 1 or self.noise_dim < 0 or self.d_steps < 1:
            raise ConfigError("model.latent_dim and model.d_steps must be >= 1 and model.noise_dim >= 0")
        if self.width_scale <= 0 or not self.hidden or min(self.hidden) < 1:
            raise ConfigError("model.width_scale must be > 0 and model.hidden a list of widths >= 1")
        if self.code_moments < 0:
            raise ConfigError(f"model.code_moments must be >= 0 (0 switches the penalty off), got {self.code_moments}")
        if self.recon_weight < 0:
            raise ConfigError(f"model.recon_weight must be >= 0 (0 switches the reconstruction term off), "
                              f"got {self.recon_weight}")
        if self.d_features is not None and self.d_features < 1:
            raise ConfigError(f"model.d_features must be >= 1 or null, got {self.d_features}")
        if min(self.lr_g, self.lr_d) <= 0:
            raise ConfigError(f"learning rates must be positive, got lr_g={self.lr_g}, lr_d={self.lr_d}")
        if len(self.betas) != 2 or not all(0 <= b < 1 for b in self.betas):
            raise ConfigError(f"model.betas must be two numbers in [0, 1), got {self.betas}")
        transform_config(self.transform)
        self.lens = lens_config_dict(self.lens)  # so config.yaml records every lens setting


def transform_config(transform: dict) -> tuple[TransformConfig, float | None]:
    """The image transformations and the 2-D point std of a `model.transform` mapping, validated."""
    if not isinstance(transform, dict):
        raise ConfigError(f"model.transform must be a mapping such as {{shift: 4, rotate: 20}}, got {transform!r}")
    unknown = sorted(set(transform) - set(_TRANSFORM_KEYS))
    if unknown:
        raise ConfigError(f"model.transform has unknown keys {unknown}; known: {', '.join(_TRANSFORM_KEYS)}")
    image = {k: v for k, v in transform.items() if k != "point_std"}
    point_std = transform.get("point_std")
    if point_std is not None and (not isinstance(point_std, int | float) or point_std < 0):
        raise ConfigError(f"model.transform.point_std must be a number >= 0 or null, got {point_std!r}")
    try:
        return TransformConfig(**image), point_std
    except (TypeError, ValueError) as e:
        raise ConfigError(f"model.transform: {e}") from e


def resolve_arch(cfg: IVEGANConfig, shape: DataShape) -> str:
    """'mlp' or the table whose resolution matches the images."""
    if cfg.arch == "mlp" or (cfg.arch == "auto" and not shape.is_image):
        return "mlp"
    if not shape.is_image:
        raise ConfigError(f"model.arch '{cfg.arch}' needs image data; use arch mlp (or auto) for points")
    size = shape.sample_shape[1]
    arch = _AUTO_TABLE.get(size, "") if cfg.arch == "auto" else cfg.arch
    if not arch or TABLES[arch].resolution != size or shape.sample_shape[1] != shape.sample_shape[2]:
        raise ConfigError(f"no IVE-GAN table for images of shape {shape.sample_shape}; the tables are 32 px "
                          "(mnist32) and 128 px (celeba128): set data.pad_to=32 for 28 px digits, or use arch mlp")
    return arch


class JointHead(nn.Module):
    """D(a, x) on features: an MLP on concat(D_enc(a), D_enc(x)) -> one logit per pair."""

    def __init__(self, features: int, hidden: list[int], activation: str):
        super().__init__()
        self.mlp = MLP(2 * features, 1, hidden, activation=activation)

    def forward(self, feature_a: Tensor, feature_x: Tensor) -> Tensor:
        return self.mlp(torch.cat([feature_a, feature_x], dim=1))


def build_networks(cfg: IVEGANConfig, shape: DataShape) -> dict[str, nn.Module]:
    """encoder, generator, features (D_enc), joint_head (D) and marginal_head (D0) for this data."""
    arch = resolve_arch(cfg, shape)
    out_act = "tanh" if shape.value_range[0] < 0 else "sigmoid"
    g_in = cfg.latent_dim + cfg.noise_dim
    if arch == "mlp":
        # Table 1: one hidden layer of 128 everywhere; D_enc is the identity, so D reads concat(a, x) and D0 x.
        dim, act = int(torch.Size(shape.sample_shape).numel()), cfg.mlp_activation
        encoder = (nn.Sequential(MLP(dim, cfg.latent_dim, cfg.hidden, activation=act), *code_head(cfg.latent_dim))
                   if cfg.code_norm else MLP(dim, cfg.latent_dim, cfg.hidden, activation=act, out_activation="tanh"))
        return {"encoder": encoder,
                "generator": MLP(g_in, dim, cfg.hidden, activation=act,
                                 out_activation=out_act if shape.is_image else None),
                "features": nn.Flatten(),
                "joint_head": JointHead(dim, cfg.hidden, act),
                "marginal_head": MLP(dim, 1, cfg.hidden, activation=act)}
    table, channels = TABLES[arch], shape.sample_shape[0]
    features = cfg.d_features or cfg.latent_dim
    return {"encoder": table_encoder(table, channels, cfg.latent_dim, cfg.width_scale, cfg.code_norm),
            "generator": TableGenerator(table, g_in, channels, out_act, cfg.width_scale),
            "features": table_features(table, channels, features, cfg.width_scale),
            "joint_head": JointHead(features, list(table.joint_head), "leaky_relu"),
            "marginal_head": MLP(features, 1, list(table.marginal_head), activation="leaky_relu")}


@register_model("ive_gan", IVEGANConfig, "IVE-GAN: encoder learned from transformation-invariant features, "
                "G(z0, E(x)) judged against T(x) given x, plus an unconditional D0")
class IVEGAN(GenerativeModel):
    """E, G, D_enc, D and D0; one step = one update of D_enc+D+D0, then (every d_steps) one of E+G."""

    averaged_networks = ("encoder", "generator")

    def __init__(self, config: IVEGANConfig, data_shape: DataShape):
        super().__init__(config, data_shape)
        self.loss = get_loss(config.loss)
        self.arch = resolve_arch(config, data_shape)
        transform, point_std = transform_config(config.transform)
        self.transform = RandomTransform(transform, tuple(data_shape.value_range))
        # The 2-D shift's std: from the config, else the mixture's own (set by initialize, kept in state_dict).
        self.register_buffer("point_std", torch.tensor(-1.0 if point_std is None else float(point_std)))
        nets = build_networks(config, data_shape)
        # auto: He on every layer of the tables, Xavier on the MLPs (the library's earlier reading of Tables 1-3);
        # paper: the tables' rule layer by layer, "LReLU-layer: He, else: Xavier".
        init = config.init if config.init != "auto" else ("xavier" if self.arch == "mlp" else "he")
        for name, net in nets.items():
            setattr(self, name, init_by_activation(net) if init == "paper" else init_weights(net, init))
        betas = tuple(config.betas)
        d_params = [*self.features.parameters(), *self.joint_head.parameters(), *self.marginal_head.parameters()]
        self.optimizers = {
            "generator": torch.optim.Adam([*self.encoder.parameters(), *self.generator.parameters()], config.lr_g,
                                          betas=betas),
            "discriminator": torch.optim.Adam(d_params, config.lr_d, betas=betas),
        }
        # Built last from a forked RNG: every other network starts the same with and without a lens.
        self.lens_config, self.lens = attach_lens(self.optimizers, config.lens, data_shape, config.lr_d, betas)

    def initialize(self, data) -> None:
        """Take the 2-D shift's std from the mixture when the config leaves it open."""
        if self.data_shape.is_image or float(self.point_std) >= 0:
            return
        std = getattr(data, "mode_std", None)
        if std is None:
            raise ConfigError(f"data '{getattr(data, 'name', '?')}' has no mixture std for the point shift T(x); "
                              "set model.transform.point_std")
        self.point_std.fill_(float(std))

    def noise(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """Noise z0: (n, noise_dim), the variation G adds to a code."""
        return sample_prior(self.config.noise_prior, n, self.config.noise_dim, self.device, generator)

    def transform_batch(self, x: Tensor, generator: torch.Generator | None = None) -> Tensor:
        """T(x): the configured random transformations of a batch (a Gaussian shift for 2-D points)."""
        if x.dim() == 2:
            # The std stays a device tensor: a training step reads nothing back to the host.
            return isotropic_shift(x, self.point_std.clamp(min=0.0), generator)
        return self.transform(x, generator)

    def _encode(self, x: Tensor) -> Tensor:
        """x: (N, ...) in the data range -> codes (N, latent_dim)."""
        return self.encoder(x)

    def _decode(self, z: Tensor, z0: Tensor | None = None) -> Tensor:
        """G(z0, z): (N, latent_dim) codes -> (N, ...) data; z0 None means zero noise (the noise's mean)."""
        if z0 is None:
            z0 = torch.zeros(z.shape[0], self.config.noise_dim, device=z.device, dtype=z.dtype)
        return self.generator(torch.cat([z0, z], dim=1)).view(z.shape[0], *self.data_shape.sample_shape)

    def discriminator_inputs(self, x: Tensor) -> dict[str, Tensor]:
        """T(x), G(z0, E(x)) (both judged given x) and G(z0, z), z ~ prior, for one step; and the codes E(x)."""
        n, codes = x.shape[0], self._encode(x)
        transformed = self.transform_batch(x)
        z0_codes, z, z0_prior = self.noise(n), self.random_codes(n), self.noise(n)  # one order in both modes
        if self.config.g_batch == "joint":
            reconstructed, generated = self._decode(torch.cat([codes, z]), torch.cat([z0_codes, z0_prior])).split(n)
        else:
            reconstructed, generated = self._decode(codes, z0_codes), self._decode(z, z0_prior)
        return {"transformed": transformed, "condition": x, "codes": codes, "reconstructed": reconstructed,
                "generated": generated}

    def scores(self, inputs: dict[str, Tensor]) -> dict[str, Tensor]:
        """Logits (N, 1): D(T(x), x), D(G(z0, E(x)), x), D0(x), D0(G(z0, z)); D_enc runs once on all (d_batch joint).

        With a lens, inputs["transformed"] is L(T(x)) and inputs["lensed"] = L(x) replaces x for D0's real side.
        With model.mismatched_pairs also "mismatched_pair": D(T(x'), x), x' the batch's neighbouring example.
        """
        keys = [k for k in ("transformed", "reconstructed", "condition", "generated", "lensed") if k in inputs]
        if self.config.d_batch == "joint":
            feats = dict(zip(keys, self.features(torch.cat([inputs[k] for k in keys])).split(
                [inputs[k].shape[0] for k in keys]), strict=True))
        else:
            feats = {k: self.features(inputs[k]) for k in keys}
        f_x = feats["condition"]
        out = {"real_pair": self.joint_head(feats["transformed"], f_x),
               "fake_pair": self.joint_head(feats["reconstructed"], f_x),
               "real": self.marginal_head(feats.get("lensed", f_x)), "fake": self.marginal_head(feats["generated"])}
        if self.config.mismatched_pairs:
            # Another example's transformed image beside x: the batch rolled by one, no extra D_enc pass.
            out["mismatched_pair"] = self.joint_head(feats["transformed"].roll(1, dims=0), f_x)
        return out

    def training_step(self, batch, step: int) -> dict[str, Tensor]:
        """One D_enc+D+D0 update on Eq. 3; every d_steps steps, one E+G update against the new D (then the lens)."""
        x = batch[0]
        g_turn = (step + 1) % self.config.d_steps == 0
        with torch.no_grad():
            inputs = self.discriminator_inputs(x)
        if self.lens is not None:
            raw = torch.cat([inputs["transformed"], x])
            with torch.set_grad_enabled(g_turn):
                lensed = self.lens(raw)  # one lens forward serves D's update and the lens's own
            inputs["transformed"], inputs["lensed"] = lensed.detach().split(x.shape[0])
        s = self.scores(inputs)
        joint = self.loss.discriminator(s["real_pair"], s["fake_pair"])
        if "mismatched_pair" in s:  # the two kinds of fake pairs weigh half each, as in Reed et al.
            joint = 0.5 * (joint + self.loss.discriminator(s["real_pair"], s["mismatched_pair"]))
        d_loss = joint + self.loss.discriminator(s["real"], s["fake"])
        optimizer_step(self.optimizers["discriminator"], d_loss)
        out = {"d_loss": d_loss.detach()}
        if g_turn:
            out["g_loss"] = self._generator_step(x)
            if self.lens is not None:
                out.update(self._lens_step(x, raw, lensed, step // self.config.d_steps))
        return out

    def _lens_step(self, x: Tensor, raw: Tensor, lensed: Tensor, iteration: int) -> dict[str, Tensor]:
        """The lens against the updated D and D0: lambda * L_A over (L(T(x)), x) and L(x) + ||[T(x), x] - L(.)||^2."""
        with torch.no_grad():
            f_x = self.features(x)

        def score(shown: Tensor) -> Tensor:
            feats = self.features(shown).split(x.shape[0])
            return torch.cat([self.joint_head(feats[0], f_x), self.marginal_head(feats[1])])

        d_nets = nn.ModuleList([self.features, self.joint_head, self.marginal_head])
        return lens_update(self.optimizers["lens"], self.lens_config, self.config.loss, d_nets, score, raw, lensed,
                           iteration)

    def _generator_step(self, x: Tensor) -> Tensor:
        d_nets = (self.features, self.joint_head, self.marginal_head)
        for net in d_nets:
            net.requires_grad_(False)  # D's parameters take no gradient from E and G's loss
        try:
            inputs = self.discriminator_inputs(x)
            s = self.scores(inputs)
            loss = self.loss.generator(s["fake_pair"]) + self.loss.generator(s["fake"])
            if self.config.code_moments:
                loss = loss + self.config.code_moments * moment_penalty(inputs["codes"], self.config.prior)
            if self.config.recon_weight:
                # G(0, E(x)) in train mode, as the adversarial terms; the codes are those D's fake pairs came from.
                loss = loss + self.config.recon_weight * (self._decode(inputs["codes"]) - x).pow(2).mean()
            optimizer_step(self.optimizers["generator"], loss)
        finally:
            for net in d_nets:
                net.requires_grad_(True)
        return loss.detach()

    @torch.no_grad()
    def pair_logits(self, x: Tensor, generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
        """D's logits (N, 1) on (T(x), x) and on (G(z0, E(x)), x), every network in eval mode: how well D tells
        transformed originals from reconstructions (the pair_accuracy metric); a lens, if any, is left out."""
        with eval_mode(self.encoder, self.generator, self.features, self.joint_head):
            reconstructed = self._decode(self._encode(x), self.noise(x.shape[0], generator))
            f_x = self.features(x)
            return (self.joint_head(self.features(self.transform_batch(x, generator)), f_x),
                    self.joint_head(self.features(reconstructed), f_x))

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None, z: Tensor | None = None,
               z0: Tensor | None = None) -> Tensor:
        """n samples G(z0, z) in eval mode; z from the prior and z0 from the noise prior unless given."""
        z = self.random_codes(n, generator) if z is None else z.to(self.device)
        z0 = self.noise(n, generator) if z0 is None else z0.to(self.device)
        with eval_mode(self.generator):
            return self._decode(z, z0)

    @torch.no_grad()
    def _reconstruct(self, x: Tensor, z0: Tensor | None = None) -> Tensor:
        """G(z0, E(x)) in eval mode; z0 None is zero noise, so the reconstruction is deterministic."""
        with eval_mode(self.encoder, self.generator):
            return self._decode(self._encode(x), z0)
