"""GLO's sections 3.3.3-3.3.5 (Bojanowski et al., 2017): linear paths between GLO codes decode to image-like
images (unlike pixel blends), the codes' principal axes carry attributes, and code arithmetic transfers them."""

from __future__ import annotations

from pathlib import Path

import torch

import latentgan
from latentgan.data.base import to_unit_range
from latentgan.experiments.card import Card
from latentgan.experiments.glo_common import PAPER, ReconBudget, cpu_departures, fitted_pca, over_seeds, train_run
from latentgan.experiments.protocol import DecisionRule, decide, finish_card
from latentgan.experiments.registry import ExperimentSettings, register_experiment
from latentgan.models.pca import PCAModel
from latentgan.nn.in_batches import map_in_batches
from latentgan.train.run_dir import read_run

CLAIM = ("Sections 3.3.3-3.3.5: linear interpolation between GLO codes gives a non-linear path of image-like images "
         "(unlike pixel interpolation); moving along the codes' principal axes changes attributes; code arithmetic "
         "with averages transfers attributes (Figures 6-9).")
BUDGETS = {
    "smoke": ReconBudget(("mnist5k",), 128, 10, 64, 5, latent_dim=8, width=8, batch_size=32),
    "cpu": ReconBudget(("fashion-mnist",), 1000, 2000, 1000, 100, width=16),
    "paper": ReconBudget(("fashion-mnist",), None, 20_000, 10_000, 500),
}
# The paper shows pictures only; both stand-ins are fixed here before the cpu runs.
MIDPOINT_RULE = DecisionRule("classifier FID of GLO code midpoints / of pixel midpoints, same pairs", 1.0, "below",
                             seeds=3, source="Figures 6-7: z-space paths look like images where pixel blends "
                                             "superimpose two; stand-in: midpoints nearer the data")
ARITHMETIC_RULE = DecisionRule("share of images of class a whose code + mean(b) - mean(a) decodes to class b", 0.5,
                               "above", seeds=3, source="Figure 9 (attribute arithmetic with averaged codes); "
                                                        "stand-in with classes, chance is 0.1")


def unit(images: torch.Tensor) -> torch.Tensor:
    """Images in [-1, 1] mapped to [0, 1], on the CPU and detached."""
    return to_unit_range(images.detach().cpu(), (-1.0, 1.0)).clamp(0, 1)


def _classifier(dataset: str, resolution: int = 28):
    from latentgan.metrics.builtin import grayscale_classifier_for
    from latentgan.metrics.classifier import load_classifier

    return load_classifier(grayscale_classifier_for(dataset), resolution=resolution)


def midpoint_fids(model, codes: torch.Tensor, x: torch.Tensor, pairs: int, seed: int,
                  dataset: str = "fashion-mnist") -> dict[str, float]:
    """Classifier FID against the training images of the midpoints of random pairs: GLO codes, pixels, PCA scores."""
    from latentgan.metrics.features import ClassifierFeatures
    from latentgan.metrics.fid import fid_from_features

    g = torch.Generator().manual_seed(seed)
    i, j = torch.randint(len(x), (pairs,), generator=g), torch.randint(len(x), (pairs,), generator=g)
    features = ClassifierFeatures(_classifier(dataset, x.shape[-1]))
    real = features(unit(x))
    with torch.no_grad():
        glo_mid = map_in_batches(model.decode, (codes[i] + codes[j]) / 2)
    return {"GLO codes": fid_from_features(real, features(unit(glo_mid))),
            "pixels": fid_from_features(real, features(unit((x[i] + x[j]) / 2))),
            "GLO reconstructions (endpoints)": fid_from_features(real, features(unit(
                map_in_batches(model.decode, codes[i]))))}


def arithmetic_accuracy(decode, codes: torch.Tensor, labels: torch.Tensor, per_class: int = 10,
                        dataset: str = "fashion-mnist") -> float:
    """Over every ordered pair of classes a != b: the share of class-a codes shifted by mean(b) - mean(a) that the
    dataset's classifier labels b."""
    classifier = _classifier(dataset)
    means = {int(c): codes[labels == c].mean(0) for c in labels.unique()}
    hits = total = 0
    with torch.no_grad():
        for a in means:
            za = codes[labels == a][:per_class]
            for b in means:
                if a != b:
                    predicted = classifier.predict(unit(decode(za + means[b] - means[a])))
                    hits, total = hits + int((predicted == b).sum()), total + len(za)
    return hits / total


def seed_latent(budget: ReconBudget, seed: int, out_dir: str, device: str) -> dict[str, float]:
    """One seed: GLO (Lap1, PCA init) trained; midpoint FIDs and class-arithmetic accuracy of GLO and of PCA."""
    settings = ExperimentSettings(Path(out_dir), budget="cpu", device=device, log=lambda m: None)
    run = train_run("glo", budget.datasets[0], budget, [f"train.seed={seed}"], Path(out_dir) / f"seed{seed}" / "glo",
                    settings)
    model, data = _model_and_data(run)
    x, labels = data.scale(data.x), data.y.cpu()
    codes = model.codes.weight.detach().cpu()
    dataset = budget.datasets[0]
    fids = midpoint_fids(model, codes, x, budget.eval_images, seed, dataset)
    pca = fitted_pca(data, budget.latent_dim)
    return {**{f"midpoint FID, {k}": v for k, v in fids.items()},
            "midpoint ratio": fids["GLO codes"] / fids["pixels"],
            "arithmetic, GLO": arithmetic_accuracy(model.decode, codes, labels, dataset=dataset),
            "arithmetic, PCA": arithmetic_accuracy(lambda z: pca.decode(z).clamp(-1, 1), pca.encode(x), labels,
                                                   dataset=dataset)}


def _model_and_data(run: Path):
    from latentgan.api import load_data

    config, _ = read_run(run)
    return latentgan.load(run, device="cpu"), load_data(config)


def _rows_of(images: list[torch.Tensor]) -> torch.Tensor:
    """Stack equal-length rows of images (steps, C, H, W) into one (rows * steps, C, H, W) batch in [0, 1]."""
    return unit(torch.cat(images))


def interpolation_figure(model, pca: PCAModel, x: torch.Tensor, codes: torch.Tensor, path: Path,
                         steps: int = 8) -> Path:
    """Rows for one pair of training images: GLO codes, pixels, PCA scores, each linear in its space."""
    from latentgan.viz.grid import save_image_grid
    from latentgan.viz.interpolation import interpolate_codes

    with torch.no_grad():
        rows = [model.decode(interpolate_codes(codes[0], codes[1], steps)),
                interpolate_codes(x[0], x[1], steps),
                pca.decode(interpolate_codes(*pca.encode(x[:2]), steps)).clamp(-1, 1)]
    return save_image_grid(_rows_of(rows), path, nrow=steps)


def principal_walks(model, codes: torch.Tensor, path: Path, axes: int = 4, steps: int = 7) -> Path:
    """Figure 8: from one code, move along each of the top principal axes of all codes (+- 2 std)."""
    from latentgan.viz.grid import save_image_grid

    centred = codes - codes.mean(0)
    _, s, v = torch.linalg.svd(centred, full_matrices=False)
    std = s[:axes] / max(codes.shape[0] - 1, 1) ** 0.5
    t = torch.linspace(-2, 2, steps)
    with torch.no_grad():
        rows = [model.decode(codes[0] + t[:, None] * std[a] * v[a]) for a in range(axes)]
    return save_image_grid(_rows_of(rows), path, nrow=steps)


def class_arithmetic(model, codes: torch.Tensor, labels: torch.Tensor, path: Path, pairs: int = 6) -> Path:
    """Figure 9's idea with classes: z + mean(class b) - mean(class a) for images of class a, per row a -> b."""
    from latentgan.viz.grid import save_image_grid

    classes = labels.unique()[: 2 * pairs]
    rows = []
    with torch.no_grad():
        for a, b in zip(classes[0::2], classes[1::2], strict=False):
            za = codes[labels == a][:4]
            shifted = za + codes[labels == b].mean(0) - codes[labels == a].mean(0)
            rows.append(torch.cat([model.decode(za), model.decode(shifted)]))
    return save_image_grid(_rows_of(rows), path, nrow=8)


def latent_figures(run: Path, latent_dim: int, out: Path) -> list[Path]:
    """Interpolation, principal-walk and class-arithmetic figures of one GLO run."""
    model, data = _model_and_data(run)
    codes = model.codes.weight.detach().cpu()
    pca = fitted_pca(data, latent_dim)
    return [interpolation_figure(model, pca, data.scale(data.x[:2]), codes[:2], out / "interpolation.png"),
            principal_walks(model, codes, out / "principal_walks.png"),
            class_arithmetic(model, codes, data.y.cpu(), out / "class_arithmetic.png")]


@register_experiment("glo-latent", PAPER, CLAIM)
def glo_latent(settings: ExperimentSettings) -> Path:
    """Midpoints against pixel blends and class arithmetic over seeds, decided; figures from seed 0."""
    budget, results = over_seeds(seed_latent, BUDGETS, MIDPOINT_RULE.seeds, settings)
    rows = [{"seed": s, **r} for s, r in enumerate(results)]
    decisions = [decide(MIDPOINT_RULE, [r["midpoint ratio"] for r in results]),
                 decide(ARITHMETIC_RULE, [r["arithmetic, GLO"] for r in results])]
    figures = latent_figures(settings.out_dir / "seed0" / "glo", budget.latent_dim, settings.out_dir)
    notes = [f"Budget: {budget.describe()}; GLO with Lap1 loss and PCA-initialised codes on the ball.",
             f"Midpoints: {budget.eval_images} random pairs of training images; GLO decodes the mean of their "
             "learned codes, the pixel row averages the images. FID on the library's classifier "
             "features against the training images; GLO's own reconstructions of the endpoints are a row too "
             "(the floor its midpoints can reach).",
             "Arithmetic: per ordered pair of classes (a, b), a != b, the first 10 training codes of class a plus "
             "mean(codes of b) - mean(codes of a), decoded and labelled by the classifier; PCA's row does the same "
             "with PCA scores (our comparison; the paper shows PCA, VAE and GLO side by side in Figure 9).",
             "Figures (seed 0): interpolation.png rows GLO codes, pixels, PCA scores; principal_walks.png one row "
             "per top axis of the codes, -2 to +2 std (Figure 8); class_arithmetic.png per row 4 images of class a, "
             "then their codes shifted towards class b."]
    card = Card("glo-latent", PAPER, CLAIM, "; ".join(d.summary() for d in decisions) + ".", None, rows, notes,
                figures, decisions=decisions, paper_number="pictures only (Figures 6-9)")
    if settings.budget != "paper":
        card.departures = cpu_departures(budget) + [
            "Fashion-MNIST's classes stand in for CelebA's attributes (sunglasses, gender) in the arithmetic.",
            "The paper judges the figures by eye; the two decided statistics are stand-ins (midpoint FID ratio, "
            "class-arithmetic accuracy). The principal-axis walks (Figure 8) are shown, not decided."]
    return finish_card(card, settings)
