"""The built-in metrics, each registered under the name `latentgan eval --metrics` takes."""

from __future__ import annotations

import torch
from torch import Tensor

from latentgan.metrics.context import EvalContext
from latentgan.metrics.real_stats import format_count
from latentgan.metrics.registry import register_metric

# Datasets whose labels train the library's feature classifier, by the classifier that fits them.
CLASSIFIER_FOR = {"mnist5k": "mnist5k", "mnist": "mnist5k", "stacked-mnist": "mnist5k",
                  "fashion-mnist": "fashion-mnist"}


def grayscale_classifier_for(dataset: str) -> str | None:
    """The classifier that labels one image of `dataset` whole; None for unknown data and for stacked MNIST, whose
    classifier reads one channel at a time."""
    return None if dataset == "stacked-mnist" else CLASSIFIER_FOR.get(dataset)


GRAYSCALE_CLASSIFIED = tuple(sorted(d for d in CLASSIFIER_FOR if grayscale_classifier_for(d)))


def _classifier_name(ctx: EvalContext) -> str | None:
    return CLASSIFIER_FOR.get(ctx.config.data.name)


def _resolution(ctx: EvalContext) -> int:
    return ctx.model.data_shape.sample_shape[-1]


def _needs_images(ctx: EvalContext) -> str | None:
    return None if ctx.model.data_shape.is_image else "needs image data"


def _needs_modes(ctx: EvalContext) -> str | None:
    return None if ctx.data().modes is not None else "needs a mixture with known modes (ring, grid)"


def _needs_classifier(ctx: EvalContext) -> str | None:
    shape = ctx.model.data_shape.sample_shape
    if grayscale_classifier_for(ctx.config.data.name) is None:
        return f"needs grayscale data the library has a classifier for ({', '.join(GRAYSCALE_CLASSIFIED)})"
    if len(shape) != 3 or shape[0] != 1 or shape[-1] not in (28, 32):
        return "needs 1-channel 28x28 or 32x32 images"
    return None


def _needs_encoder(ctx: EvalContext) -> str | None:
    if ctx.model.encoding is None or not ctx.model.can("decode"):
        return "the model has no encoder"
    if ctx.model.conditional:
        return "a conditional model's encoder needs the condition y; the generic metric does not supply it"
    return None


def _needs_labelled_encoder(ctx: EvalContext) -> str | None:
    if _needs_encoder(ctx):
        return _needs_encoder(ctx)
    return None if ctx.data("heldout").num_classes else "needs class labels"


def _needs_decoder(ctx: EvalContext) -> str | None:
    return None if ctx.model.can("decode") else "the model has no decode(z)"


@register_metric("params", "parameter count of every network")
def params(ctx: EvalContext) -> dict:
    """Parameters per top-level network and in total."""
    counts = {f"params_{name}": sum(p.numel() for p in m.parameters()) for name, m in ctx.model.named_children()}
    return {**counts, "params_total": sum(p.numel() for p in ctx.model.parameters())}


@register_metric("modes", "mode coverage on 2-D mixtures: VEEGAN/PacGAN (3 std, 2,500 samples) and the ALI "
                 "paper's responsibility count (10,000 samples)", default_n=2500, applies=_needs_modes)
def modes(ctx: EvalContext) -> dict:
    """High-quality mode coverage on n samples and the ALI count on max(n, 10,000)."""
    from latentgan.metrics.modes import mode_count_by_responsibility, mode_coverage

    data = ctx.data()
    n, n_ali = ctx.count(2500), max(ctx.count(2500), 10_000)
    hq = mode_coverage(ctx.samples(n), data.modes, data.mode_std)
    ali = mode_count_by_responsibility(ctx.samples(n_ali), data.modes, data.mode_std)
    out = {f"{k}@{format_count(n)}": v for k, v in hq.items() if k != "modes_total"}
    out[f"modes_covered_ali@{format_count(n_ali)}"] = ali["modes_covered"]
    out["modes_total"] = hq["modes_total"]
    return out


@register_metric("fid", "FID, KID and precision/recall with the standard Inception (slow on CPU)",
                 default_n=10_000, applies=_needs_images)
def fid(ctx: EvalContext) -> dict:
    """Inception FID of n samples against n training images (real statistics cached)."""
    from latentgan.metrics.features import get_extractor

    extractor = get_extractor("inception", ctx.device, ctx.inception_path)
    return _fid_with(ctx, extractor, 10_000)


@register_metric("cfid", "FID, KID and precision/recall on the library's classifier features (fast)",
                 default_n=5000, applies=_needs_classifier)
def cfid(ctx: EvalContext) -> dict:
    """Classifier-feature FID; the classifier is trained once per dataset and cached."""
    from latentgan.metrics.features import get_extractor

    extractor = get_extractor(f"classifier-{_classifier_name(ctx)}", ctx.device, resolution=_resolution(ctx))
    return _fid_with(ctx, extractor, 5000)


def _fid_with(ctx: EvalContext, extractor, default_n: int) -> dict:
    from latentgan.metrics.fid import evaluate_fid

    data = ctx.data()
    n = ctx.count(default_n)
    n_real = min(n, len(data))
    return evaluate_fid(ctx.unit_sample_stream(n), data, extractor, n, batch_size=ctx.batch_size, n_real=n_real,
                        seed=ctx.seed)


@register_metric("stacked_modes", "stacked-MNIST: distinct digit triples and KL to uniform over 1,000",
                 default_n=26_000,
                 applies=lambda ctx: None if ctx.config.data.name == "stacked-mnist" else "needs stacked-mnist data")
def stacked_modes(ctx: EvalContext) -> dict:
    """Classify each channel of n samples with the mnist5k classifier; count distinct triples."""
    from latentgan.metrics.classifier import load_classifier
    from latentgan.metrics.stacked_modes import stacked_mnist_modes

    classifier = load_classifier("mnist5k", resolution=_resolution(ctx), device=ctx.device)
    n = ctx.count(26_000)
    result = stacked_mnist_modes(ctx.unit_samples(n), classifier)
    return {f"stacked_modes@{format_count(n)}": result["modes"], f"stacked_kl@{format_count(n)}": result["kl"],
            "classifier_test_accuracy": classifier.test_accuracy}


@register_metric("recon", "reconstruction MSE, Lap1 and class agreement of G(E(x)) on held-out data",
                 default_n=1000, applies=_needs_encoder)
def recon(ctx: EvalContext) -> dict:
    """Reconstruction metrics on the first n held-out examples."""
    from latentgan.metrics.reconstruction import reconstruction_metrics

    heldout = ctx.data("heldout")
    n = min(ctx.count(1000), len(heldout))
    x, y, _ = heldout.batch(torch.arange(n))
    classifier = None
    if _needs_classifier(ctx) is None and y is not None:
        from latentgan.metrics.classifier import load_classifier

        classifier = load_classifier(_classifier_name(ctx), resolution=_resolution(ctx), device=ctx.device)
    result = reconstruction_metrics(ctx.model, x.to(ctx.device), batch_size=ctx.batch_size,
                                    classifier=classifier, labels=None if classifier is None else y,
                                    value_range=tuple(heldout.value_range))
    if classifier is not None and _needs_gaussian_encoder(ctx) is None:
        # A Gaussian encoder's code is a distribution: what one draw keeps shows how deterministic it has become.
        from latentgan.metrics.reconstruction import SampledCodes

        sampled = reconstruction_metrics(SampledCodes(ctx.model, ctx.seed), x.to(ctx.device),
                                         batch_size=ctx.batch_size, classifier=classifier, labels=y,
                                         value_range=tuple(heldout.value_range))
        result["reconstruction_class_agreement_sampled"] = sampled["reconstruction_class_agreement"]
    return {f"{k}@{format_count(n)}" if k != "reconstruction_n" else k: v for k, v in result.items()}


def _needs_bounded_codes(ctx: EvalContext) -> str | None:
    if ctx.model.encoding is None or ctx.model.prior_name != "uniform":
        return "needs an encoder with codes in the uniform prior's cube"
    return None


def _needs_pair_discriminator(ctx: EvalContext) -> str | None:
    return None if hasattr(ctx.model, "pair_logits") else "needs a pair discriminator D(a, x) (IVE-GAN)"


def _heldout_x(ctx: EvalContext, default: int) -> Tensor:
    heldout = ctx.data("heldout")
    return heldout.batch(torch.arange(min(ctx.count(default), len(heldout))))[0].to(ctx.device)


@register_metric("code_saturation", "share of encoder code coordinates at the uniform cube's edge (|z| >= 0.99) "
                 "on held-out data", default_n=1000, applies=_needs_bounded_codes)
def code_saturation(ctx: EvalContext) -> dict:
    """Saturated coordinates, codes saturated in every coordinate, mean |z| of the first n held-out examples."""
    from latentgan.metrics.encoder_diagnostics import code_saturation as saturation

    x = _heldout_x(ctx, 1000)
    return {f"{k}@{format_count(len(x))}": v for k, v in saturation(ctx.model.encode, x, ctx.batch_size).items()}


@register_metric("pair_accuracy", "the pair discriminator's accuracy on (T(x), x) vs (G(z0, E(x)), x) on held-out "
                 "data (0.5: cannot tell them apart)", default_n=1000, applies=_needs_pair_discriminator)
def pair_accuracy(ctx: EvalContext) -> dict:
    """D's accuracy on real and reconstructed pairs of the first n held-out examples, networks in eval mode."""
    from latentgan.metrics.encoder_diagnostics import pair_accuracy as accuracy

    x = _heldout_x(ctx, 1000)
    result = accuracy(ctx.model.pair_logits, x, seed=ctx.seed, batch_size=ctx.batch_size)
    return {f"{k}@{format_count(len(x))}": v for k, v in result.items()}


@register_metric("probe", "linear and k-NN probes on encoder features vs pixels and PCA (1,000 labels, "
                 "10 label subsets)", default_n=1000, applies=_needs_labelled_encoder)
def probe(ctx: EvalContext) -> dict:
    """Probes with n labels on the train split's features, tested on up to 10,000 held-out examples."""
    from latentgan.metrics.probe import probe_report

    train, test = ctx.data("train"), ctx.data("heldout")
    pool = min(len(train), 10_000)
    n_test = min(len(test), 10_000)
    tx, ty, _ = train.batch(torch.arange(pool))
    vx, vy, _ = test.batch(torch.arange(n_test))

    def on_device(fn):
        return lambda x: fn(x.to(ctx.device)).flatten(1).cpu()

    # Models whose papers probe more than the code (ALI: last hidden layers + code) get that row too.
    extra = {"hidden": on_device(ctx.model.probe_features)} if ctx.model.can("probe_features") else None
    return probe_report(on_device(ctx.model.encode), tx, ty.cpu(), vx, vy.cpu(), n_labels=min(ctx.count(1000), pool),
                        seed=ctx.seed, extra=extra)


@register_metric("latent_order", "how much each latent block (1-8, 9-16, ...) changes the output when resampled",
                 applies=_needs_decoder)
def latent_order(ctx: EvalContext) -> dict:
    """The growing thesis' latent-order measure on the model's decoder."""
    from latentgan.metrics.latent_order import latent_order as measure

    model = ctx.model
    with torch.no_grad():
        return measure(model.decode, model.code_dim, prior=model.prior_name, seed=ctx.seed, device=ctx.device)


def _needs_gaussian_encoder(ctx: EvalContext) -> str | None:
    if _needs_encoder(ctx):
        return _needs_encoder(ctx)
    if not hasattr(ctx.model, "encoder_output") or getattr(ctx.model.config, "encoder", "") != "gaussian":
        return "needs a Gaussian encoder (ALI's encoder_output)"
    return None


@register_metric("encoder_sigma", "the Gaussian encoder's sigma on held-out data: median, and share of code "
                 "dimensions below 0.1 (the ALI paper expects the encoder to become deterministic)",
                 default_n=1000, applies=_needs_gaussian_encoder)
def encoder_sigma(ctx: EvalContext) -> dict:
    """Median sigma and the share of (example, dimension) sigmas below 0.1 on the first n held-out examples."""
    from latentgan.nn.eval_mode import eval_mode

    heldout = ctx.data("heldout")
    n = min(ctx.count(1000), len(heldout))
    x = heldout.batch(torch.arange(n))[0].to(ctx.device)
    with torch.no_grad(), eval_mode(ctx.model):
        sigma = torch.cat([ctx.model.encoder_output(part)[1].exp() for part in x.split(ctx.batch_size)])
    return {f"encoder_sigma_median@{format_count(n)}": float(sigma.median()),
            f"encoder_sigma_below_0.1@{format_count(n)}": float((sigma < 0.1).float().mean())}


def _needs_joint_discriminator(ctx: EvalContext) -> str | None:
    if not hasattr(ctx.model, "joint_logits") or ctx.model.condition_dim:
        return "needs an unconditional joint discriminator D(x, z) (ALI, BiGAN)"
    return None


@register_metric("pairing", "how much ALI's D logit depends on held-out codes belonging to their images, against "
                 "its real/fake gap (near 0: D ignores the pairing)", default_n=1000,
                 applies=_needs_joint_discriminator)
def pairing(ctx: EvalContext) -> dict:
    """Pairing shift, real/fake gap and their ratio on the first n held-out examples and n prior codes."""
    from latentgan.metrics.encoder_diagnostics import pairing_sensitivity
    from latentgan.nn.eval_mode import eval_mode
    from latentgan.nn.in_batches import map_in_batches

    x = _heldout_x(ctx, 1000)
    model = ctx.model
    generator = torch.Generator(device=model.device).manual_seed(ctx.seed)
    prior = model.random_codes(x.shape[0], generator)
    with eval_mode(model):
        codes = map_in_batches(model.encode, x, ctx.batch_size)
        decoded = map_in_batches(model.decode, prior, ctx.batch_size)

    def logits(a: Tensor, z: Tensor) -> Tensor:
        return torch.cat([model.joint_logits(pa, pz) for pa, pz in zip(a.split(ctx.batch_size),
                                                                         z.split(ctx.batch_size), strict=True)])

    result = pairing_sensitivity(logits, x, codes.to(x.device), prior.to(x.device), decoded.to(x.device), ctx.seed)
    return {f"{k}@{format_count(len(x))}": v for k, v in result.items()}
