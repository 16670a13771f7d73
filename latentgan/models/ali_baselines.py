"""The ALI paper's baselines (sections 2.2 and 4.5): a trained GAN's generator, frozen, given an encoder afterwards.

- gan_inverse, "learned inverse mapping": the encoder regresses z from the GAN's own samples,
  min E_{z ~ p(z)} ||z - G_z(G_x(z))||_2^2 (the paper's fixed generative model and fixed-variance posterior);
- ali_posthoc, "post-hoc learned inference": the encoder is trained by ALI's procedure against a fresh joint
  discriminator D(x, z) while the decoder stays as the GAN left it.

Both use ALI's networks (build_networks), so `--config ali-grid --set model.name=...` gives ALI's sizes. The
decoder comes from a finished `gan` run, model.decoder_from, copied in by `initialize` (fresh runs only): the
weights then live in this run's checkpoints, and resume and load never need the GAN run again.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from latentgan.errors import ConfigError, LatentganError
from latentgan.models.ali import ALI, ALIConfig
from latentgan.models.base import DataShape, optimizer_step
from latentgan.models.registry import register_model
from latentgan.plugins import registry_function

_NEEDS_GAN_RUN = "train one first, e.g. `latentgan train --config gan-grid`, and pass its run directory"


@dataclass
class FrozenDecoderConfig(ALIConfig):
    """ALI's hyperparameters plus decoder_from, the run directory of a trained `gan` whose generator is the decoder.

    The GAN must share this model's data, prior, latent_dim and hidden (and arch mlp); the encoder learns at lr_g.
    """

    decoder_from: str | None = None

    def validate(self) -> None:
        """ALI's checks, then refuse what a frozen unconditional GAN decoder cannot serve."""
        super().validate()
        if not self.decoder_from:
            raise ConfigError(f"model {self.name} needs model.decoder_from, the run directory of a trained gan; "
                              f"{_NEEDS_GAN_RUN} as --set model.decoder_from=RUN_DIR")
        if self.conditional or self.labelled_examples:
            raise ConfigError(f"model {self.name} takes its decoder from an unconditional GAN; set "
                              "model.conditional=false and model.labelled_examples=0")


@dataclass
class GANInverseConfig(FrozenDecoderConfig):
    """Learned inverse mapping: a deterministic encoder by default (the paper's fixed-variance posterior).

    With encoder gaussian the regression uses a draw from q(z|x), so the loss also shrinks sigma. The
    discriminator's settings (loss, lr_d, d_dropout, ...) are unused: this baseline has no discriminator.
    """

    name: str = "gan_inverse"
    encoder: str = "deterministic"

    def validate(self) -> None:
        """FrozenDecoderConfig's checks; a lens needs a discriminator to temper, which this baseline lacks."""
        super().validate()
        if self.lens is not None:
            raise ConfigError("model gan_inverse has no discriminator for a lens to temper; set model.lens=null")


@dataclass
class ALIPostHocConfig(FrozenDecoderConfig):
    """Post-hoc learned inference: ALI's settings for the encoder and the joint discriminator."""

    name: str = "ali_posthoc"

    def validate(self) -> None:
        """FrozenDecoderConfig's checks; simultaneous updates differentiate the decoder, which has no gradient here."""
        super().validate()
        if self.update != "alternating":
            raise ConfigError("model ali_posthoc keeps its decoder frozen and supports only model.update=alternating")


def copy_gan_generator(decoder: nn.Module, config: FrozenDecoderConfig, shape: DataShape) -> None:
    """Load the generator of the gan run config.decoder_from into decoder; ConfigError naming the fix if unfit."""
    from latentgan.models.gan import GAN

    # A run opened from inside a model: latentgan.run sits above models/, so it is found by name (a late binding).
    run_class = registry_function("latentgan.run", "Run")

    where = f"model.decoder_from '{config.decoder_from}'"
    try:
        # Building the GAN draws throw-away initial weights: keep the caller's RNG where it was.
        with torch.random.fork_rng(devices=[]):
            gan = run_class.open(config.decoder_from).model()
    except LatentganError as e:
        raise ConfigError(f"{where} is not a finished gan run ({e}); {_NEEDS_GAN_RUN}") from e
    if not isinstance(gan, GAN):
        raise ConfigError(f"{where} is a '{gan.config.name}' run; point it at a run of model gan")
    if (tuple(gan.data_shape.sample_shape), tuple(map(float, gan.data_shape.value_range))) != \
            (tuple(shape.sample_shape), tuple(map(float, shape.value_range))):
        raise ConfigError(f"{where} was trained on data of shape {gan.data_shape.sample_shape}, range "
                          f"{gan.data_shape.value_range}, this run's data is {shape.sample_shape}, "
                          f"{shape.value_range}; use the GAN's data settings")
    if gan.config.prior != config.prior:
        raise ConfigError(f"{where} drew z from the {gan.config.prior} prior; set model.prior={gan.config.prior}")
    if (gan.config.mlp_activation or "relu") != "relu":
        raise ConfigError(f"{where} has a generator with {gan.config.mlp_activation} units, ALI's decoder uses ReLU; "
                          "train the GAN with model.mlp_activation=null")
    try:
        decoder.load_state_dict(gan.generator.state_dict())
    except RuntimeError as e:
        lines = str(e).strip().splitlines()  # torch's first line is only "Error(s) in loading state_dict"
        raise ConfigError(
            f"{where}: the GAN's generator (arch {gan.config.arch}, latent_dim {gan.config.latent_dim}, hidden "
            f"{gan.config.hidden}) does not fit this decoder (arch {config.arch}, latent_dim {config.latent_dim}, "
            f"hidden {config.hidden}): {lines[-1].strip()}; set model.latent_dim and model.hidden to the "
            "GAN's, with arch mlp for both (and g_batch_norm=false for images)") from e


class FrozenDecoderALI(ALI):
    """ALI's networks and encode / decode / sample, the decoder frozen; initialize fills it from the GAN run."""

    averaged_networks = ("encoder",)  # the decoder never changes

    def __init__(self, config: FrozenDecoderConfig, data_shape: DataShape):
        super().__init__(config, data_shape)
        self.decoder.requires_grad_(False)
        self.decoder.eval()

    def initialize(self, data) -> None:
        """Copy the generator of the gan run model.decoder_from into the decoder (saved in state_dict from then on)."""
        copy_gan_generator(self.decoder, self.config, self.data_shape)

    def train(self, mode: bool = True) -> FrozenDecoderALI:
        """Train mode for every network but the decoder: a frozen decoder must not move batch-norm statistics."""
        super().train(mode)
        self.decoder.eval()
        return self


@register_model("gan_inverse", GANInverseConfig, "GAN + learned inverse mapping: an encoder regressing z from a "
                "trained GAN's samples (ALI paper baseline)")
class GANInverse(FrozenDecoderALI):
    """A frozen GAN generator G_x and an encoder G_z trained on E_z ||z - G_z(G_x(z))||^2; the data is never seen."""

    def __init__(self, config: GANInverseConfig, data_shape: DataShape):
        super().__init__(config, data_shape)
        del self.discriminator  # ALI's joint D has no part in this baseline
        self.optimizers = {"encoder": torch.optim.Adam(self.encoder.parameters(), config.lr_g,
                                                       betas=tuple(config.betas))}

    def inverse_loss(self, z: Tensor) -> Tensor:
        """Batch mean of ||z - G_z(G_x(z))||_2^2 for codes z: (N, latent_dim); only the encoder gets gradients."""
        with torch.no_grad():
            x = self._decode(z)
        return (z - self.infer(x)).pow(2).sum(dim=1).mean()

    def training_step(self, batch, step: int) -> dict[str, Tensor]:
        """One encoder update on fresh prior codes, as many as the batch has examples."""
        loss = self.inverse_loss(self.random_codes(batch[0].shape[0]))
        optimizer_step(self.optimizers["encoder"], loss)
        return {"e_loss": loss.detach()}


@register_model("ali_posthoc", ALIPostHocConfig, "GAN + post-hoc learned inference: an encoder trained by ALI "
                "against a joint D(x, z), the GAN's decoder frozen (ALI paper baseline)")
class ALIPostHoc(FrozenDecoderALI):
    """ALI's alternating updates with the decoder out of the game: D learns on both pairs, only the encoder answers."""

    def __init__(self, config: ALIPostHocConfig, data_shape: DataShape):
        super().__init__(config, data_shape)
        # ALI's update code steps optimizers["generator"]; here it holds the encoder alone.
        self.optimizers["generator"] = torch.optim.Adam(self.encoder.parameters(), config.lr_g,
                                                        betas=tuple(config.betas))
